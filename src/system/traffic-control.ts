// A profile's rate-limit on a tunnel interface with Linux traffic control (iproute2 `tc`). What
// the router sends (tx) is shaped by a token bucket (tbf) on the interface. What it receives (rx)
// cannot be queued where it arrives, and this kernel has no policing action (act_police), so the
// ingress hook redirects it (u32 + mirred) through an IFB device whose own tbf shapes it.
import { type CommandRunner, type SystemResult, ok, runQuiet } from './command.js';

import type { RateLimit } from '../config/rate-limit.js';

export type { RateLimit };

/** The IFB device that shapes `dev`'s received traffic (one per tunnel, by interface index). */
export function ifbName(ifindex: number): string {
  return `ifb-rl${ifindex}`;
}

// A bucket of at least one full packet and ~20 ms of traffic; 50 ms of queue before drops.
function tbf(dev: string, bps: number): string[] {
  const burst = Math.max(3000, Math.ceil(bps / 8 / 50));
  return ['tc', 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${bps}bit`, 'burst', String(burst), 'latency', '50ms'];
}

export async function setRateLimit(runner: CommandRunner, dev: string, ifindex: number, limit: RateLimit): Promise<SystemResult<void>> {
  if (limit.txBps > 0) {
    const r = await runQuiet(runner, tbf(dev, limit.txBps));
    if (!r.ok) return r;
  }
  if (limit.rxBps > 0) {
    const ifb = ifbName(ifindex);
    for (const argv of [
      ['ip', 'link', 'add', ifb, 'type', 'ifb'],
      ['ip', 'link', 'set', ifb, 'up'],
      tbf(ifb, limit.rxBps),
      ['tc', 'qdisc', 'add', 'dev', dev, 'handle', 'ffff:', 'ingress'],
      ['tc', 'filter', 'add', 'dev', dev, 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', ifb],
    ]) {
      const r = await runQuiet(runner, argv);
      if (!r.ok) return r;
    }
  }
  return ok(undefined);
}

/** Removes the IFB device of a tunnel that is gone (the tunnel's own qdiscs went with it). */
export async function clearRateLimit(runner: CommandRunner, ifindex: number): Promise<void> {
  await runner.run(['ip', 'link', 'del', ifbName(ifindex)]);
}

