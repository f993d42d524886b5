// What an earlier routerd of this boot left on the host when it died without stopping (kill -9,
// an uncaught exception): the claims it wrote (src/system/host-claims.ts) checked against the
// kernel. Only what is still there *as it was claimed* counts: a link with the same name but
// another index, an address on a device that was made again, was made by someone else since.
// Programs it started (dnsmasq, udhcpc) are killed and links (bridges, rate-limit IFB devices)
// deleted at once: no tunnel outlived that routerd, and the configuration starts the programs
// and makes the bridges again. Addresses and routes are handed back to the host configuration,
// which keeps those the configuration still wants and removes the rest.
import type { Logger } from '../log.js';
import type { Host, InterfaceAddress, Link, Route } from '../system/host.js';
import { processStart, type HostClaims, type LinkClaim } from '../system/host-claims.js';

export interface Leftovers {
  /** Links deleted and programs stopped, as the log names them. */
  readonly removed: readonly string[];
  readonly addresses: readonly InterfaceAddress[];
  readonly routes: readonly Route[];
}

export async function reclaimLeftovers(host: Host, claims: HostClaims, log: Logger): Promise<Leftovers> {
  const inherited = claims.inherited;
  if (inherited.length === 0) return { removed: [], addresses: [], routes: [] };
  const removed: string[] = [];
  for (const c of inherited) {
    if (c.kind !== 'process') continue;
    if (processStart(c.pid) === c.start) {
      if (!(await stopProcess(c.pid, c.start))) {
        log.warning(`leftover ${c.name} (pid ${c.pid}) still runs after SIGKILL`);
        continue;
      }
      removed.push(`${c.name} (pid ${c.pid})`);
    }
    claims.release(c);
  }
  let links = await host.listLinks();
  if (!links.ok) return { removed, addresses: [], routes: [] }; // cannot tell: touch nothing
  for (const c of inherited) {
    if (c.kind !== 'link') continue;
    const l = links.value.find((x) => x.name === c.name);
    if (l && isClaimed(l, c)) {
      const r = await host.deleteLink(c.name);
      if (r.ok) {
        removed.push(c.name);
        claims.release(c);
      } else log.warning(`leftover ${c.name} not removed: ${r.error.stderr.trim()}`);
    } else claims.release(c);
  }
  links = await host.listLinks();
  const [addresses, routes] = [await host.listAddresses(), await host.listRoutes()];
  if (!links.ok || !addresses.ok || !routes.ok) return { removed, addresses: [], routes: [] };
  const index = new Map(links.value.map((l) => [l.name, l.ifindex]));
  const keptAddresses: InterfaceAddress[] = [];
  const keptRoutes: Route[] = [];
  for (const c of inherited) {
    if (c.kind === 'address') {
      const a = c.address;
      const there = index.get(a.device) === c.ifindex && addresses.value.some((x) => x.device === a.device && x.local === a.local && x.prefixLength === a.prefixLength);
      if (there) keptAddresses.push(a);
      else claims.release(c);
    } else if (c.kind === 'route') {
      const r = c.route;
      const deviceSame = r.device === undefined || index.get(r.device) === c.ifindex;
      if (deviceSame && routes.value.some((x) => sameRoute(x, r))) keptRoutes.push(r);
      else claims.release(c);
    }
  }
  if (removed.length > 0) log.info(`removed what an earlier run left behind: ${removed.join(', ')}`);
  return { removed, addresses: keptAddresses, routes: keptRoutes };
}

/** SIGKILL, then waits (up to 2 s) until that process, and not a later one with its PID, is gone. */
async function stopProcess(pid: number, start: number): Promise<boolean> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return processStart(pid) !== start; // gone just now, or not ours to signal
  }
  for (let i = 0; i < 100 && processStart(pid) === start; i++) await new Promise((r) => setTimeout(r, 20));
  return processStart(pid) !== start;
}

function isClaimed(l: Link, c: LinkClaim): boolean {
  return c.ifindex !== undefined ? l.ifindex === c.ifindex : c.after !== undefined && l.ifindex > c.after;
}

function normalDst(dst: string): string {
  if (dst === 'default') return '0.0.0.0/0';
  return dst.includes('/') ? dst : `${dst}/32`;
}

/** A listed route (the kernel's) is the claimed one: same destination, next hop, metric, device. */
export function sameRoute(listed: Route, claimed: Route): boolean {
  return normalDst(listed.dst) === normalDst(claimed.dst)
    && listed.gateway === claimed.gateway
    && (listed.distance ?? 0) === (claimed.distance ?? 0)
    && (claimed.device === undefined || listed.device === claimed.device);
}
