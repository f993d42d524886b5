// The router's Host: every change that outlives routerd is claimed in HostClaims before it is
// made and released once undone, so a routerd started after a crash can tell its own leftovers
// from what the admin or another program made (src/router/leftovers.ts). Changes on TUN devices
// are not claimed: the kernel removes those devices, with their addresses and routes, when the
// process that holds them dies.
import { type SystemResult } from './command.js';
import { Host, type InterfaceAddress, type Route } from './host.js';
import type { HostClaims, LinkClaim } from './host-claims.js';
import { ifbName, type RateLimit } from './traffic-control.js';

export class ClaimedHost extends Host {
  /** Runs in this process's own network namespace: the claims name it. */
  constructor(readonly claims: HostClaims) {
    super();
  }

  override async createLink(name: string, kind: string, args: readonly string[] = []): Promise<SystemResult<void>> {
    return this.made(name, () => super.createLink(name, kind, args));
  }

  override async deleteLink(name: string): Promise<SystemResult<void>> {
    const r = await super.deleteLink(name);
    if (r.ok || !(await this.linkExists(name))) this.claims.release({ kind: 'link', name });
    return r;
  }

  override async setRateLimit(dev: string, ifindex: number, limit: RateLimit): Promise<SystemResult<void>> {
    if (limit.rxBps <= 0) return super.setRateLimit(dev, ifindex, limit);
    return this.made(ifbName(ifindex), () => super.setRateLimit(dev, ifindex, limit));
  }

  override async clearRateLimit(ifindex: number): Promise<void> {
    await super.clearRateLimit(ifindex);
    const name = ifbName(ifindex);
    if (!(await this.linkExists(name))) this.claims.release({ kind: 'link', name });
  }

  override async addAddress(a: InterfaceAddress): Promise<SystemResult<void>> {
    const ifindex = await this.persistentIndex(a.device);
    if (ifindex !== undefined) this.claims.claim({ kind: 'address', ifindex, address: a });
    return super.addAddress(a);
  }

  override async removeAddress(a: InterfaceAddress): Promise<SystemResult<void>> {
    const r = await super.removeAddress(a);
    const claim = { kind: 'address', ifindex: 0, address: a } as const;
    if (this.claims.has(claim) && (r.ok || !(await this.addressExists(a)))) this.claims.release(claim);
    return r;
  }

  override async addRoute(r: Route): Promise<SystemResult<void>> {
    await this.claimRoute(r);
    return super.addRoute(r);
  }

  override async replaceRoute(r: Route): Promise<SystemResult<void>> {
    await this.claimRoute(r);
    return super.replaceRoute(r);
  }

  override async removeRoute(r: Route): Promise<SystemResult<void>> {
    const done = await super.removeRoute(r);
    const claim = { kind: 'route', route: r } as const;
    // A route that could not be removed because it is not there any more is gone all the same.
    if (this.claims.has(claim) && (done.ok || /No such process|ESRCH|not found/i.test(done.error.stderr))) this.claims.release(claim);
    return done;
  }

  /** Claims a link about to be made under name; the exact index once made, released on failure. */
  private async made(name: string, make: () => Promise<SystemResult<void>>): Promise<SystemResult<void>> {
    const links = await this.listLinks();
    if (!links.ok) return make();
    if (links.value.some((l) => l.name === name)) return make(); // someone's already: not ours to claim
    const after = links.value.reduce((m, l) => Math.max(m, l.ifindex), 0);
    const pending: LinkClaim = { kind: 'link', name, after };
    this.claims.claim(pending);
    const r = await make();
    const made = await this.getLink(name);
    if (made.ok && made.value !== undefined && made.value.ifindex > after) this.claims.claim({ kind: 'link', name, ifindex: made.value.ifindex });
    else if (made.ok && made.value === undefined) this.claims.release(pending);
    return r;
  }

  private async claimRoute(r: Route): Promise<void> {
    if (r.device === undefined) return this.claims.claim({ kind: 'route', route: r });
    const ifindex = await this.persistentIndex(r.device);
    if (ifindex !== undefined) this.claims.claim({ kind: 'route', ifindex, route: r });
  }

  /** The device's index, unless it is a TUN device (or missing): nothing on it outlives routerd. */
  private async persistentIndex(device: string): Promise<number | undefined> {
    const l = await this.getLink(device);
    if (!l.ok || l.value === undefined || l.value.kind === 'tun') return undefined;
    return l.value.ifindex;
  }

  private async linkExists(name: string): Promise<boolean> {
    const l = await this.getLink(name);
    return l.ok && l.value !== undefined;
  }

  private async addressExists(a: InterfaceAddress): Promise<boolean> {
    const list = await this.listAddresses(a.device);
    return !list.ok || list.value.some((x) => x.local === a.local && x.prefixLength === a.prefixLength);
  }
}

/**
 * The host as tunnels see it: what a tunnel puts on its TUN device (name, MTU, address, routes)
 * goes with the device, so it is not claimed (no claim-file write per tunnel, no device lookup
 * per address); the IFB device of its rate-limit outlives it and is.
 */
export class TunnelHost extends Host {
  constructor(private readonly claimed: ClaimedHost) {
    super();
  }

  override setRateLimit(dev: string, ifindex: number, limit: RateLimit): Promise<SystemResult<void>> {
    return this.claimed.setRateLimit(dev, ifindex, limit);
  }

  override clearRateLimit(ifindex: number): Promise<void> {
    return this.claimed.clearRateLimit(ifindex);
  }
}
