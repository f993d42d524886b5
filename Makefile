# Single entry point. `make run` and `make test` are the README's two promises: each installs
# what it needs (Debian packages through apt-get, npm packages through npm ci) before it runs.
# Area-specific targets (image, boot-test, interop, bench) live in mk/*.mk, one file per area.

SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.install-stamp
NATIVE_ADDON := native/build/Release/pptp_native.node
TS_STAMP := dist/.build-stamp
DATA ?= ./data

.PHONY: all deps build native ts run test typecheck clean

all: build

deps: $(NODE_MODULES_STAMP)
	@bash tools/install-deps.sh base

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-fund --no-audit
	@touch $@

native: $(NATIVE_ADDON)

$(NATIVE_ADDON): $(NODE_MODULES_STAMP) $(wildcard native/binding.gyp native/src/*.c native/src/*.cc native/src/*.h native/src/*/*.c native/src/*/*.cc native/src/*/*.h)
	npx node-gyp rebuild --directory native

ts: $(NODE_MODULES_STAMP)
	npx tsc -p tsconfig.json

build: deps native ts

typecheck: $(NODE_MODULES_STAMP)
	npx tsc -p tsconfig.json --noEmit

run: build
	node --max-semi-space-size=1 dist/src/daemon.js --data $(DATA) --console stdio

# The suite boots the firmware: run-tests.sh assembles the qemu-virt image while the rest runs
# (the Debian root is cached in cache/: minutes the first time, seconds after).
test: build native-arm64
	@bash tools/install-deps.sh test
	bash tools/run-tests.sh

clean:
	rm -rf dist native/build

-include $(sort $(wildcard mk/*.mk))
