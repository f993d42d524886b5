// make bench-scale (issue 13 items 4 and 5): BENCH_TUNNELS (default 1000) PPTP tunnels with
// MPPE-128 from one load-generator process to one routerd at licence level 6, in network
// namespaces; prints the time until all are up, the pings through each, and routerd's resident
// memory per idle tunnel. Targets (issue 13): all up within 10 s, at most 64 KiB per idle tunnel.
// Needs root.
import { runScale, scaleReport } from './scale-run.js';
import { Teardown } from './teardown.js';

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_TUNNELS ?? 1000);
  const dataplane = process.env.BENCH_DATAPLANE === 'reference' ? 'reference' : 'native';
  const t = new Teardown();
  try {
    const cpuProfileDir = process.env.BENCH_CPU_PROF;
    const memDir = process.env.BENCH_MEM;
    const heapSnapshots = process.env.BENCH_HEAP_SNAPSHOT === '1';
    const routerdNodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    const r = await runScale(t, { count, dataplane, cpuProfileDir, memDir, heapSnapshots, routerdNodeArgs, progress: (l) => process.stderr.write(`${l}\n`) });
    console.log(scaleReport(r, dataplane));
  } finally {
    await t.run();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench-scale: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
