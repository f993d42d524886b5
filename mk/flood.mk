# make bench-flood   issue 15 item 2: a SYN flood (BENCH_SYNS, default 10000), control connections
#                    that never place a call (BENCH_IDLE, default 10000) and LCP storms inside one
#                    session (BENCH_LCP_PPS per second for BENCH_LCP_S seconds, default 5000 x 10),
#                    each while a tunnel between two routerd carries checked transfers. Prints per
#                    flood its size, the throughput before/during/after, routerd's RSS and the
#                    console's answer time. A benchmark: it prints figures, it asserts nothing.
.PHONY: bench-flood
bench-flood: build
	node --import tsx bench/flood.ts
