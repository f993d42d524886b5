// The dynamic /ip address and /ip route rows of the tunnels that are up, as RouterOS lists them:
// the tunnel's address with its peer as network; the peer's /32 as a connected route (C,
// distance 0) on the tunnel interface; a secret's routes= and a client's add-default-route as
// static ones (S). A: the route is on the host (the kernel took it).
import type { DynamicEntry } from '../config/runtime.js';
import type { InstalledRoute } from './tunnel.js';

export interface UpTunnel {
  /** RouterOS interface name (pptp-out1, <pptp-ex>). */
  readonly name: string;
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly routes: readonly InstalledRoute[];
}

export function tunnelAddressEntries(tunnels: readonly UpTunnel[]): DynamicEntry[] {
  return tunnels.map((t) => ({ values: { address: `${t.localAddress}/32`, network: t.remoteAddress, interface: t.name } }));
}

export function tunnelRouteEntries(tunnels: readonly UpTunnel[]): DynamicEntry[] {
  return tunnels.flatMap((t) => [
    { values: { 'dst-address': `${t.remoteAddress}/32`, gateway: t.name, distance: '0' }, flags: 'AC' },
    ...t.routes.map((r) => ({
      values: { 'dst-address': r.dst, gateway: r.gateway ?? t.name, distance: String(r.distance) },
      flags: r.active ? 'AS' : 'S',
    })),
  ]);
}
