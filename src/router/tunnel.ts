// One PPTP tunnel as the host sees it, for both roles: a PppLink (data-plane session + PPP
// engine) whose TUN device, once the network phase opens, gets its RouterOS name (as far as the
// kernel allows), its MTU, the point-to-point address pair and the tunnel's own routes (a
// secret's routes=, a client's add-default-route). When the link ends, the TUN device goes and
// the kernel takes its addresses and routes with it; the rest of the host configuration is told.
import type { MppeImplementation } from '../crypto/mppe.js';
import type { DataPlane } from '../dataplane/dataplane.js';
import { mssForMtu } from '../dataplane/tcp-mss.js';
import type { Logger } from '../log.js';
import type { PppLinkUp, PppStatus } from '../ppp/session.js';
import { describeSystemError, type Host, type Route, type SystemResult } from '../system/host.js';
import type { Bridges } from './bridges.js';
import type { HostConfig } from './host-config.js';
import type { LinkNames } from './link-names.js';
import { PppLink, type LinkCall, type PppRoleOptions } from './ppp-link.js';
import type { LinkProfile, PppRoute } from './user-plan.js';
import { monotonicNow } from '../monotonic.js';

export interface TunnelContext {
  readonly host: Host;
  readonly hostConfig: HostConfig;
  readonly plane: DataPlane;
  readonly mppe: MppeImplementation;
  readonly names: LinkNames;
  readonly bridges: Bridges;
}

export interface TunnelSpec {
  readonly call: LinkCall;
  readonly log: Logger;
  readonly ppp: PppRoleOptions;
  /** The RouterOS interface name, when known before the link is up (a client's row name). */
  readonly name?: string;
  /** The RouterOS interface name once the user is known (server), the tunnel's own routes, its profile. */
  readonly onNetwork: (link: PppLinkUp) => { readonly name: string; readonly routes: readonly PppRoute[]; readonly profile: LinkProfile };
  readonly onStatus?: (status: PppStatus) => void;
  /** The tunnel is up and configured on the host. */
  readonly onUp?: (tunnel: Tunnel) => void;
  /** Once, when the tunnel is over and its interface gone. */
  readonly onDown: (reason: string) => void;
}

/** One of a tunnel's own routes and whether the host took it. */
export interface InstalledRoute extends PppRoute {
  readonly active: boolean;
}

export class Tunnel {
  readonly link: PppLink;
  /** RouterOS name (`pptp-out1`, `<pptp-ex>`, `FromLaptop`); a placeholder until the user is known. */
  name: string;
  kernelName: string;
  negotiated: PppLinkUp | undefined;
  /** The tunnel's own routes as put on the host (dynamic /ip route rows), while it is up. */
  installed: readonly InstalledRoute[] | undefined;
  private announced = false;
  private sessionTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** The TUN device's index while a rate-limit's IFB device exists for it. */
  private ifindex: number | undefined;

  constructor(
    private readonly ctx: TunnelContext,
    private readonly spec: TunnelSpec,
  ) {
    this.name = spec.name ?? `pptp-call${spec.call.callId}`;
    this.kernelName = ctx.names.claim(this.name);
    try {
      this.link = new PppLink({
        dataplane: ctx.plane,
        mppe: ctx.mppe,
        call: spec.call,
        tunName: this.kernelName,
        log: spec.log,
        ppp: spec.ppp,
        onStatus: spec.onStatus,
        onUp: (link) => this.configure(link),
        onDown: (reason) => void this.finish(reason),
        joinBridge: async (tap, bridge) => {
          if (!this.negotiated) return false;
          must(await ctx.host.setLinkMtu(tap, bridgePortMtu(this.negotiated)), 'bridge port mtu');
          return ctx.bridges.attach(tap, bridge);
        },
        leaveBridge: (tap) => ctx.bridges.detach(tap),
      });
    } catch (e) {
      ctx.names.release(this.kernelName);
      throw e;
    }
  }

  start(): void {
    this.link.start();
  }

  private async configure(link: PppLinkUp): Promise<void> {
    this.negotiated = link;
    const { name, routes, profile } = this.spec.onNetwork(link);
    this.link.session.setMssClamp(profile.changeTcpMss ? mssForMtu(interfaceMtu(link)) : undefined);
    // Both names are taken at once, so tunnels coming up together never pick the same one.
    const placeholder = this.kernelName;
    if (name !== this.name) {
      this.name = name;
      this.kernelName = this.ctx.names.claim(name);
    }
    // The rename touches only this tunnel's own device, under names it holds, so it stays out of
    // the host-change queue: it waits out an RCU grace period in the kernel, and a thousand
    // tunnels coming up together would otherwise wait out all of them one after another.
    if (this.kernelName !== placeholder) {
      const renamed = await this.ctx.host.renameLink(placeholder, this.kernelName);
      if (!renamed.ok) {
        this.ctx.names.release(this.kernelName);
        this.kernelName = placeholder;
        must(renamed, 'rename');
      }
      this.ctx.names.release(placeholder);
    }
    await this.ctx.hostConfig.serialized(async () => {
      const host = this.ctx.host;
      const dev = this.kernelName;
      must(await host.setLinkMtu(dev, interfaceMtu(link)), 'mtu');
      must(await host.addAddress({ device: dev, local: link.localAddress, prefixLength: 32, peer: link.remoteAddress }), 'address');
      must(await host.setLinkUp(dev, true), 'link up');
      if (profile.rateLimit) {
        const link = await host.getLink(dev);
        this.ifindex = link.ok ? link.value?.ifindex : undefined;
        if (this.ifindex === undefined) throw new Error(`rate-limit: ${dev} not found`);
        must(await host.setRateLimit(dev, this.ifindex, profile.rateLimit), 'rate-limit');
      }
      const installed: InstalledRoute[] = [];
      for (const r of routes) {
        const route: Route = { dst: r.dst, gateway: r.gateway, device: dev, distance: r.distance };
        const done = await host.replaceRoute(route);
        if (!done.ok) this.spec.log.warning(`route ${r.dst} via ${r.gateway ?? dev} not installed: ${describeSystemError(done.error)}`);
        installed.push({ ...r, active: done.ok });
      }
      if (!this.link.down) this.installed = installed;
    });
    if (this.link.down) return;
    this.announced = true;
    if (profile.sessionTimeout > 0) {
      this.sessionTimer = setTimeout(() => void this.link.close('session timeout'), profile.sessionTimeout * 1000);
    }
    if (profile.idleTimeout > 0) {
      // lastActivity moves with every packet either way (PppLink.tick, once a second).
      this.idleTimer = setInterval(() => {
        if (monotonicNow() - this.link.lastActivity >= profile.idleTimeout * 1000) void this.link.close('idle timeout');
      }, 1000);
    }
    // Addresses and routes of the rest of the configuration that wait for this interface follow
    // without holding up the tunnel's own traffic.
    void this.ctx.hostConfig.tunnelUp(this.name, this.kernelName);
    this.spec.onUp?.(this);
  }

  /** Ends a tunnel that never started: its call was refused or given up before the answer. */
  discard(reason: string): Promise<void> {
    return this.finish(reason);
  }

  private async finish(reason: string): Promise<void> {
    this.installed = undefined;
    clearTimeout(this.sessionTimer);
    clearInterval(this.idleTimer);
    const gone = this.link.destroy();
    if (this.ifindex !== undefined) await this.ctx.host.clearRateLimit(this.ifindex);
    // The name is free for the next tunnel only once the kernel has deleted the device.
    await gone;
    this.ctx.names.release(this.kernelName);
    if (this.announced) await this.ctx.hostConfig.tunnelDown(this.kernelName);
    this.spec.onDown(reason);
  }
}

function must(result: SystemResult<void>, what: string): void {
  if (!result.ok) throw new Error(`${what}: ${describeSystemError(result.error)}`);
}

/**
 * The tunnel interface's MTU: the link MTU, or with Multilink what the peer reassembles (its
 * MRRU less MPPE's header and inner Protocol field, 4 octets), capped at Ethernet's 1500: the
 * seed's "tunnels up to 1500 bytes without fragmentation".
 */
export function interfaceMtu(link: PppLinkUp): number {
  const mp = link.multilink;
  if (!mp) return link.mtu;
  const room = mp.sendMrru - (link.mppe.send ? 4 : 0);
  return Math.max(link.mtu, Math.min(1500, room));
}

/**
 * The MTU of a BCP link's TAP port: the largest Ethernet payload whose bridged frame (2 octets of
 * BCP header, 14 of Ethernet header) fits the link, or with Multilink the peer's MRRU, capped at
 * Ethernet's 1500 (RFC 3518 section 5.1; no LAN FCS is carried).
 */
export function bridgePortMtu(link: PppLinkUp): number {
  const mp = link.multilink;
  const room = mp ? mp.sendMrru - (link.mppe.send ? 4 : 0) : link.mtu;
  return Math.max(68, Math.min(1500, room - 16));
}
