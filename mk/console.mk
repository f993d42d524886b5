# Console area: its tests alone, and a console on a pty pair for trying the serial console by hand
# (connect with: screen $(CONSOLE_PTY)-user 115200).
CONSOLE_PTY ?= /tmp/routerd-console

.PHONY: test-console console-pty

test-console: build
	@bash tools/install-deps.sh console
	npx tap test/cli/ test/config/ test/console/

console-pty: build
	@bash tools/install-deps.sh console
	socat pty,raw,echo=0,link=$(CONSOLE_PTY) pty,raw,echo=0,link=$(CONSOLE_PTY)-user & \
	  pid=$$!; sleep 1; node dist/src/daemon.js --data $(DATA) --console $(CONSOLE_PTY); kill $$pid
