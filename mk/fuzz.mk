# Fuzzing (issue 15, README "Reliability"): every target for FUZZ_S seconds (default 300).
#   make fuzz [FUZZ_S=300] [FUZZ_TARGETS=native:mppe,ts:gre]
FUZZ_S ?= 300

.PHONY: fuzz

fuzz: $(NODE_MODULES_STAMP)
	@bash tools/install-deps.sh fuzz
	FUZZ_S=$(FUZZ_S) FUZZ_TARGETS=$(FUZZ_TARGETS) bash fuzz/run.sh
