// make bench-flood (issue 15 item 2): the floods of bench/flood-run.ts at full scale, each while a
// tunnel (our client and server, native data plane, MPPE-128) carries checked transfers, one
// after another from one process; prints
// per flood its size, the transfer rate before / during / after and during as a share of before,
// routerd's RSS (before, peak, after) and how long the console took to answer a print during
// the flood. Needs root. Sizes: BENCH_SYNS, BENCH_SYN_PPS, BENCH_IDLE, BENCH_IDLE_RATE,
// BENCH_LCP_PPS, BENCH_LCP_S, BENCH_SPOOF_PPS, BENCH_SPOOF_S, BENCH_BYTES (one transfer), BENCH_BASELINE (seconds measured before and after each);
// BENCH_IDLE_CONTROL=1 adds the idle flood against a plain Node listener (routerd not involved).
import { runFloods, type FloodFigures } from './flood-run.js';
import { Teardown } from './teardown.js';

const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};

const mib = (kib: number): string => (kib / 1024).toFixed(1);

function row(f: FloodFigures): string {
  // Against the mean of before and after: the neighbours' load on a shared machine drifts.
  const base = (f.before.mbps + f.after.mbps) / 2;
  const ratio = base > 0 ? (100 * f.during.mbps) / base : 0;
  const ok = f.before.ok && f.during.ok && f.after.ok ? '' : ' (a transfer failed its check)';
  return `| ${f.name} | ${f.size} | ${f.before.mbps.toFixed(0)} | ${f.during.mbps.toFixed(0)} (${f.during.transfers}) | ${f.after.mbps.toFixed(0)} | ${ratio.toFixed(0)}%${ok} | ${mib(f.rssBeforeKiB)} / ${mib(f.rssPeakKiB)} / ${mib(f.rssAfterKiB)} | ${f.consoleMs} ms (${f.consolePrints}) | ${f.pingsAfter ? 'yes' : 'NO'} |`;
}

async function main(): Promise<void> {
  const t = new Teardown();
  try {
    const figures = await runFloods(t, {
      syns: env('BENCH_SYNS', 10_000),
      synPps: env('BENCH_SYN_PPS', 2000),
      idle: env('BENCH_IDLE', 10_000),
      idlePerSecond: env('BENCH_IDLE_RATE', 1000),
      idleSources: 40,
      lcpPps: env('BENCH_LCP_PPS', 5000),
      lcpSeconds: env('BENCH_LCP_S', 10),
      spoofPps: env('BENCH_SPOOF_PPS', 2000),
      spoofSeconds: env('BENCH_SPOOF_S', 12),
      transferBytes: env('BENCH_BYTES', 8 * 1024 * 1024),
      baselineSeconds: env('BENCH_BASELINE', 5),
      idleControl: process.env.BENCH_IDLE_CONTROL === '1',
      progress: (l) => process.stderr.write(`${l}\n`),
    });
    console.log('Floods against routerd while a tunnel (native data plane, MPPE-128 stateless) carries checked HTTP transfers');
    console.log('| flood | size | before Mbit/s | during Mbit/s (transfers completed) | after Mbit/s | during / mean of before and after | routerd RSS MiB before / peak / after | console: slowest answer (prints) | pings after |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const f of figures) console.log(row(f));
    for (const f of figures) {
      const facts = Object.entries(f.facts).filter(([k]) => k !== 'heldPrint');
      console.log(`${f.name}: ${facts.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      if (typeof f.facts.heldPrint === 'string') console.log(`${f.name}: /interface pptp-server pending print while the flooder held its connections:\n${f.facts.heldPrint.trimEnd()}`);
    }
  } finally {
    await t.run();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench-flood: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
