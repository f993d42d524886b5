# make bench-crash [N=1000] [SHARE=0.2]   kill -9 of routerd N times (root: network namespaces):
#                    a share SHARE of the rounds during tunnel churn (a real routerd driven at its
#                    console, restarted on the same data directory each time), the rest during
#                    configuration writes. Prints the rounds, the broken configurations (must be
#                    0) and the stale devices, addresses and routes found after a restart (must be
#                    0). `make test` runs the same file with 100 rounds.
.PHONY: bench-crash
bench-crash: build
	@bash tools/install-deps.sh test
	@figures=$$(mktemp); \
	CRASH_ROUNDS=$(or $(N),1000) CRASH_CHURN_SHARE=$(or $(SHARE),0.2) CRASH_FIGURES=$$figures \
	  npx tap --timeout=0 test/crash/kill-rounds.test.ts; rc=$$?; \
	cat $$figures; rm -f $$figures; exit $$rc
