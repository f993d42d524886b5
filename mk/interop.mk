# Interop with the real Linux PPTP stack (pppd, pptp-linux, pptpd) in a QEMU guest.
#   make interop-guest   build (or reuse) the cached guest: cache/interop-guest/
#   make interop         run the interop tests (they build the guest themselves if it is missing)
.PHONY: interop interop-guest

interop-guest:
	@bash tools/install-deps.sh interop
	bash test/interop/build-guest.sh

interop: $(NODE_MODULES_STAMP)
	@bash tools/install-deps.sh interop
	npx tap test/interop/*.test.ts
