// make bench-scale (issue 13 items 4 and 5): BENCH_TUNNELS (default 1000) PPTP tunnels with
// MPPE-128 from one load-generator process to one routerd at licence level 6, in network
// namespaces; prints the time until all are up, the pings through each, and routerd's resident
// memory per idle tunnel. Targets (issue 13): all up within 10 s, at most 64 KiB per idle tunnel.
// Needs root.
import { runScale } from './scale-run.js';

class Teardown {
  private readonly fns: (() => void | Promise<void>)[] = [];
  teardown(fn: () => void | Promise<void>): void {
    this.fns.push(fn);
  }
  async run(): Promise<void> {
    for (const fn of this.fns.splice(0).reverse()) await fn();
  }
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_TUNNELS ?? 1000);
  const dataplane = process.env.BENCH_DATAPLANE === 'reference' ? 'reference' : 'native';
  const t = new Teardown();
  try {
    const cpuProfileDir = process.env.BENCH_CPU_PROF;
    const r = await runScale(t, { count, dataplane, cpuProfileDir, progress: (l) => process.stderr.write(`${l}\n`) });
    console.log(
      [
        `${r.count} PPTP tunnels (MPPE-128, MS-CHAPv2) to one routerd, ${dataplane} data plane, one load-generator process`,
        '| tunnels up | set-up time | CPU s until all up: routerd (its event loop) / load generator | pinged through | routerd RSS before | RSS all idle | RSS per idle tunnel |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        `| ${r.up} of ${r.count} (after the pings: ${r.stillUp} up, server ${r.serverTunnels} TUN) | ${(r.upMs / 1000).toFixed(2)} s | ${r.serverCpuS.toFixed(1)} (${r.serverLoopCpuS.toFixed(1)}) / ${r.clientCpuS.toFixed(1)} | ${r.pinged} (in ${(r.pingMs / 1000).toFixed(1)} s) | ${(r.rssBeforeKiB / 1024).toFixed(1)} MiB | ${(r.rssIdleKiB / 1024).toFixed(1)} MiB | ${r.rssPerTunnelKiB.toFixed(1)} KiB |`,
      ].join('\n'),
    );
    console.log(`per tunnel (client side): ${Object.entries(r.phases).map(([k, v]) => `${k} ${v}`).join('; ')}`);
    if (Object.keys(r.serverDown).length > 0) console.log(`the server's log says it ended tunnels: ${JSON.stringify(r.serverDown)}`);
    if (Object.keys(r.lost).length > 0) console.log(`links lost after coming up: ${JSON.stringify(r.lost)}`);
    if (r.failureCount > 0) console.log(`${r.failureCount} failures, first ones:\n${r.failures.join('\n')}`);
  } finally {
    await t.run();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench-scale: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
