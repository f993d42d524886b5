# Tunnels area: the netns scenarios and router unit tests alone, and the two-router demo
# (see README "Tunnels"). demo needs root: it creates network namespaces named pptp-demo-*.
.PHONY: test-tunnels demo demo-clean

test-tunnels: build
	@bash tools/install-deps.sh dataplane
	npx tap test/router/ test/netns/

demo: build
	@bash tools/install-deps.sh dataplane
	@bash tools/install-deps.sh tunnels
	bash tools/demo.sh

demo-clean:
	bash tools/demo.sh clean
