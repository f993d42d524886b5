// Preloaded into routerd by bench/scale-run.ts when BENCH_MEM names a directory (`node --import
// dist/bench/mem-probe.js`), never by the daemon itself: on SIGUSR2 it writes what V8 holds
// (process.memoryUsage, the heap spaces, before and after a full collection when --expose-gc is
// on) to MEM_PROBE_OUT-N.json, and a heap snapshot beside it when MEM_PROBE_SNAPSHOT=1. The
// bench reads /proc/PID/smaps itself for what lies outside V8.
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';

const out = process.env.MEM_PROBE_OUT;
let n = 0;

function sample(): Record<string, unknown> {
  return {
    memoryUsage: process.memoryUsage(),
    heap: getHeapStatistics(),
    spaces: getHeapSpaceStatistics().map((s) => ({ name: s.space_name, size: s.space_size, used: s.space_used_size, physical: s.physical_space_size })),
  };
}

if (out !== undefined) {
  process.on('SIGUSR2', () => {
    const file = `${out}-${n++}`;
    const before = sample();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const after = gc === undefined ? undefined : sample();
    const snapshot = process.env.MEM_PROBE_SNAPSHOT === '1' ? writeHeapSnapshot(`${file}.heapsnapshot`) : undefined;
    writeFileSync(`${file}.json`, JSON.stringify({ before, afterGc: after, snapshot }));
  });
}
