// Puts `/ip address`, `/ip route` and `/interface ethernet` onto the host, and keeps them there as
// tunnels come and go: an address on a tunnel interface, or a route whose gateway is only
// reachable through a tunnel, is applied when that tunnel is up and counts as inactive until then
// (RouterOS shows such routes as inactive too). Every change to the host goes through one queue,
// so a configuration change and a tunnel coming up never interleave their commands.
// Addresses and routes name their interface by internal id: the id gives the interface's row,
// the row its port (default-name, the host link it was found as) or, for a tunnel, its current
// name and so its kernel link. Renaming interfaces never moves an address to another port.
import { isIP } from 'node:net';
import { bridge, ethernet, ipAddress, ipRoute } from '../config/menus/index.js';
import type { ConfigModel } from '../config/model.js';
import type { Logger } from '../log.js';
import { kernelForm } from './link-names.js';
import { describeSystemError, type Host, type InterfaceAddress, type Route, type SystemResult } from '../system/host.js';

const key = (o: object): string => JSON.stringify(o);

/** 192.168.88.1, 24 -> 192.168.88.0/24 */
export function networkOf(address: string, prefixLength: number): string {
  const n = address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${prefixLength}`;
}

export class HostConfig {
  /**
   * Tunnels that are up, by kernel link: the reference (`*3`) of the interface row each was
   * brought up for (none for a dynamic one). Renaming that row while its tunnel is up keeps the
   * addresses and routes on it; a later tunnel under the old name is another interface.
   */
  private readonly tunnels = new Map<string, string | undefined>();
  private readonly appliedAddresses = new Map<string, InterfaceAddress>();
  private readonly appliedRoutes = new Map<string, Route>();
  private readonly proxyArp = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | undefined;
  private readonly complaints = new Set<string>();
  /** Addresses and routes something running brought (a DHCP lease), by source. */
  private readonly dynamic = new Map<string, { readonly addresses: readonly InterfaceAddress[]; readonly routes: readonly Route[] }>();
  /** /ip route rows (by id) on the host after the last reconcile: flag A. */
  private activeRoutes = new Set<number>();
  /** Keys of what an earlier run left (adopt): its removal is logged as such. */
  private readonly leftovers = new Set<string>();

  constructor(
    private readonly model: ConfigModel,
    private readonly host: Host,
    private readonly log: Logger,
  ) {}

  /** Runs a host change after every earlier one. */
  serialized<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job);
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  /** A tunnel named name (its RouterOS name now) is up as kernel link kernel. */
  tunnelUp(name: string, kernel: string): Promise<void> {
    const ref = this.model.interfaceRefByName(name);
    this.tunnels.set(kernel, ref);
    // Only rows name interfaces, so a tunnel without one carries none of their addresses and
    // routes; unless a route is waiting for a gateway it might reach, nothing changes. A
    // thousand dynamic tunnels coming up then skip a thousand re-reads of the host.
    if (ref === undefined && this.complaints.size === 0) return Promise.resolve();
    return this.reconcile();
  }

  tunnelDown(kernel: string): Promise<void> {
    this.tunnels.delete(kernel);
    // The kernel drops addresses and routes with the device; forget them so they are re-added.
    for (const [k, a] of this.appliedAddresses) if (a.device === kernel) this.appliedAddresses.delete(k);
    for (const [k, r] of this.appliedRoutes) if (r.device === kernel) this.appliedRoutes.delete(k);
    return this.reconcile();
  }

  /** The kernel link behind an interface reference (`*3`), if that interface has one now. */
  kernelName(ref: string): string | undefined {
    const target = this.model.interfaceById(ref);
    if (!target) return undefined; // a reference to no interface stays inactive
    if (target.path === ethernet.path) return String(target.row.values['default-name']);
    if (target.path === bridge.path) return target.row.values.disabled === true ? undefined : kernelForm(String(target.row.values.name));
    for (const [kernel, tunnelRef] of this.tunnels) if (tunnelRef === ref) return kernel;
    return undefined;
  }

  reconcile(): Promise<void> {
    // One waiting in the queue has not read the host yet, so it will see this change too: with
    // a thousand tunnels coming up together, each would otherwise re-read every link, address
    // and route once per tunnel.
    if (this.waiting) return this.waiting;
    const run = this.serialized(() => {
      this.waiting = undefined;
      return this.apply();
    });
    this.waiting = run;
    return run;
  }

  /** Sets the dynamic addresses and routes of one source (empty lists remove them). */
  setDynamic(source: string, addresses: readonly InterfaceAddress[], routes: readonly Route[]): Promise<void> {
    if (addresses.length === 0 && routes.length === 0) this.dynamic.delete(source);
    else this.dynamic.set(source, { addresses, routes });
    return this.reconcile();
  }

  /** Every dynamic address and route now wanted. */
  dynamicEntries(): { addresses: InterfaceAddress[]; routes: Route[] } {
    const all = [...this.dynamic.values()];
    return { addresses: all.flatMap((d) => d.addresses), routes: all.flatMap((d) => d.routes) };
  }

  /**
   * RouterOS's connected routes: the network of every address this router put on the host
   * (configured or leased), with the RouterOS name of its interface. A /32 has none.
   */
  connectedRoutes(): { readonly dst: string; readonly interface: string }[] {
    return [...this.appliedAddresses.values()]
      .filter((a) => a.prefixLength < 32 && a.peer === undefined)
      .map((a) => ({ dst: networkOf(a.local, a.prefixLength), interface: this.interfaceName(a.device) }));
  }

  /** The RouterOS name of a kernel link: its ethernet row's, or the tunnel's interface row's. */
  interfaceName(device: string): string {
    const port = this.model.list(ethernet).find((p) => p['default-name'] === device);
    if (port) return port.name;
    const ref = this.tunnels.get(device);
    const row = ref === undefined ? undefined : this.model.interfaceById(ref);
    return row ? String(row.row.values.name) : device;
  }

  /** Whether a dynamic route (a DHCP lease's) is on the host. */
  dynamicRouteActive(r: Route): boolean {
    return this.appliedRoutes.has(key(r));
  }

  /** Whether the /ip route row with this id is on the host. */
  routeActive(id: number): boolean {
    return this.activeRoutes.has(id);
  }

  /**
   * Takes over addresses and routes an earlier routerd put on the host and did not take away
   * (src/router/leftovers.ts): the next reconcile keeps those still wanted and removes the rest.
   */
  adopt(addresses: readonly InterfaceAddress[], routes: readonly Route[]): void {
    for (const a of addresses) {
      this.appliedAddresses.set(key(a), a);
      this.leftovers.add(key(a));
    }
    for (const r of routes) {
      this.appliedRoutes.set(key(r), r);
      this.leftovers.add(key(r));
    }
  }

  /** Removes everything this router put on the host (shutdown). */
  clear(): Promise<void> {
    return this.serialized(async () => {
      for (const r of this.appliedRoutes.values()) await this.host.removeRoute(r);
      for (const a of this.appliedAddresses.values()) await this.host.removeAddress(a);
      for (const dev of this.proxyArp) await this.host.setProxyArp(dev, false);
      this.appliedRoutes.clear();
      this.activeRoutes = new Set();
      this.appliedAddresses.clear();
      this.proxyArp.clear();
    });
  }

  private async apply(): Promise<void> {
    const links = await this.host.listLinks();
    const existing = new Set(links.ok ? links.value.map((l) => l.name) : []);
    const device = (ref: string): string | undefined => {
      const kernel = this.kernelName(ref);
      return kernel !== undefined && existing.has(kernel) ? kernel : undefined;
    };

    for (const port of this.model.list(ethernet)) {
      const dev = port['default-name'];
      if (!existing.has(dev)) continue;
      const proxy = port.arp === 'proxy-arp';
      if (proxy !== this.proxyArp.has(dev)) {
        this.check(`arp on ${port.name}`, await this.host.setProxyArp(dev, proxy));
        if (proxy) this.proxyArp.add(dev);
        else this.proxyArp.delete(dev);
      }
      const link = links.ok ? links.value.find((l) => l.name === dev) : undefined;
      if (link && link.mtu !== port.mtu) this.check(`mtu on ${port.name}`, await this.host.setLinkMtu(dev, port.mtu));
      // A disabled port is taken down, as RouterOS does: nothing passes it until it is enabled.
      if (link && link.up === port.disabled) {
        this.check(`${port.name} ${port.disabled ? 'down' : 'up'}`, await this.host.setLinkUp(dev, !port.disabled));
      }
    }

    const wantAddresses = new Map<string, InterfaceAddress>();
    for (const row of this.model.list(ipAddress)) {
      if (row.disabled) continue;
      const dev = device(row.interface);
      if (!dev) continue; // inactive until the interface exists
      const [local, len] = row.address.split('/');
      const a: InterfaceAddress = { device: dev, local: local!, prefixLength: Number(len) };
      wantAddresses.set(key(a), a);
    }
    for (const a of this.dynamicEntries().addresses) if (existing.has(a.device)) wantAddresses.set(key(a), a);
    for (const [k, a] of this.appliedAddresses) {
      if (wantAddresses.has(k)) continue;
      const r = await this.host.removeAddress(a);
      this.appliedAddresses.delete(k);
      if (this.leftovers.delete(k) && r.ok) this.log.info(`removed address ${a.local}/${a.prefixLength} on ${a.device} left by an earlier run`);
    }
    const present = await this.host.listAddresses();
    const have = new Set(present.ok ? present.value.map((a) => key({ device: a.device, local: a.local, prefixLength: a.prefixLength })) : []);
    for (const [k, a] of wantAddresses) {
      if (!have.has(k) && !this.check(`address ${a.local}/${a.prefixLength} on ${a.device}`, await this.host.addAddress(a))) continue;
      this.appliedAddresses.set(k, a);
    }

    const wantRoutes = new Map<string, Route>();
    const rowsOf = new Map<string, number[]>();
    for (const row of this.model.list(ipRoute)) {
      if (row.disabled) continue;
      const viaAddress = isIP(row.gateway) === 4;
      const viaDevice = viaAddress ? undefined : device(row.gateway);
      if (!viaAddress && !viaDevice) continue; // the gateway interface does not exist (yet)
      const r: Route = viaAddress
        ? { dst: row['dst-address'], gateway: row.gateway, distance: row.distance }
        : { dst: row['dst-address'], device: viaDevice, distance: row.distance };
      wantRoutes.set(key(r), r);
      rowsOf.set(key(r), [...(rowsOf.get(key(r)) ?? []), row.id]);
    }
    for (const r of this.dynamicEntries().routes) wantRoutes.set(key(r), r);
    for (const [k, r] of this.appliedRoutes) {
      if (wantRoutes.has(k)) continue;
      const done = await this.host.removeRoute(r);
      this.appliedRoutes.delete(k);
      if (this.leftovers.delete(k) && done.ok) this.log.info(`removed route ${r.dst} via ${r.gateway ?? r.device} left by an earlier run`);
    }
    for (const [k, r] of wantRoutes) {
      // replace is idempotent; a gateway not reachable yet fails quietly and is tried again
      // when the next tunnel comes up.
      const done = await this.host.replaceRoute(r);
      if (done.ok) {
        this.appliedRoutes.set(k, r);
        this.complaints.delete(k);
      } else {
        this.appliedRoutes.delete(k);
        if (!this.complaints.has(k)) {
          this.complaints.add(k);
          this.log.info(`route ${r.dst} via ${r.gateway ?? r.device} inactive: ${describeSystemError(done.error)}`);
        }
      }
    }
    this.activeRoutes = new Set([...rowsOf].filter(([k]) => this.appliedRoutes.has(k)).flatMap(([, ids]) => ids));
  }

  private check(what: string, result: SystemResult<void>): boolean {
    if (result.ok) return true;
    this.log.error(`${what}: ${describeSystemError(result.error)}`);
    return false;
  }
}
