# make bench-scale   BENCH_TUNNELS (default 1000) PPTP tunnels with MPPE-128 from one
#                    load-generator process to one routerd at licence level 6, in two network
#                    namespaces (root): the time until all are up, a ping through each, routerd's
#                    RSS per idle tunnel. BENCH_DATAPLANE=reference runs routerd on the TypeScript
#                    path. BENCH_MEM=DIR adds routerd's memory by category (README "Memory per
#                    idle tunnel"). A benchmark: it prints figures, it asserts nothing.
.PHONY: bench-scale
bench-scale: build
	node --import tsx bench/scale.ts
