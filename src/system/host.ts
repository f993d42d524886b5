// src/system: the router's hands on the host. Everything the reconciler changes outside the
// process (links, addresses, routes, proxy-ARP, forwarding) goes through a Host, which runs
// iproute2 (reading with `ip -json`) and /proc/sys, optionally inside a network namespace (tests).
// Every method returns a SystemResult: failures carry the command and its stderr; nothing throws.
import { type CommandRunner, commandRunner, type SystemResult } from './command.js';
import * as links from './links.js';
import * as addresses from './addresses.js';
import * as routes from './routes.js';
import * as sysctl from './sysctl.js';
import * as tc from './traffic-control.js';

export type { SystemError, SystemResult } from './command.js';
export { describeSystemError } from './command.js';
export type { Link } from './links.js';
export type { InterfaceAddress } from './addresses.js';
export type { Route } from './routes.js';

export class Host {
  readonly runner: CommandRunner;

  /** netns: run every command inside this named network namespace. */
  constructor(netns?: string) {
    this.runner = commandRunner(netns);
  }

  get netns(): string | undefined {
    return this.runner.netns;
  }

  /** A rate-limit (traffic-control.ts) on dev, whose interface index is ifindex. */
  setRateLimit(dev: string, ifindex: number, limit: tc.RateLimit): Promise<SystemResult<void>> {
    return tc.setRateLimit(this.runner, dev, ifindex, limit);
  }

  clearRateLimit(ifindex: number): Promise<void> {
    return tc.clearRateLimit(this.runner, ifindex);
  }

  listLinks(): Promise<SystemResult<links.Link[]>> {
    return links.listLinks(this.runner);
  }
  getLink(name: string): Promise<SystemResult<links.Link | undefined>> {
    return links.getLink(this.runner, name);
  }
  createLink(name: string, kind: string, args: readonly string[] = []): Promise<SystemResult<void>> {
    return links.createLink(this.runner, name, kind, args);
  }
  deleteLink(name: string): Promise<SystemResult<void>> {
    return links.deleteLink(this.runner, name);
  }
  setLinkUp(name: string, up = true): Promise<SystemResult<void>> {
    return links.setLinkUp(this.runner, name, up);
  }
  setLinkMtu(name: string, mtu: number): Promise<SystemResult<void>> {
    return links.setLinkMtu(this.runner, name, mtu);
  }
  /** Enslaves name to a bridge (master) or frees it (null). */
  setLinkMaster(name: string, master: string | null): Promise<SystemResult<void>> {
    return links.setLinkMaster(this.runner, name, master);
  }
  setLinkAddress(name: string, mac: string): Promise<SystemResult<void>> {
    return links.setLinkAddress(this.runner, name, mac);
  }
  renameLink(name: string, newName: string): Promise<SystemResult<void>> {
    return links.renameLink(this.runner, name, newName);
  }

  listAddresses(device?: string): Promise<SystemResult<addresses.InterfaceAddress[]>> {
    return addresses.listAddresses(this.runner, device);
  }
  addAddress(a: addresses.InterfaceAddress): Promise<SystemResult<void>> {
    return addresses.addAddress(this.runner, a);
  }
  removeAddress(a: addresses.InterfaceAddress): Promise<SystemResult<void>> {
    return addresses.removeAddress(this.runner, a);
  }

  listRoutes(): Promise<SystemResult<routes.Route[]>> {
    return routes.listRoutes(this.runner);
  }
  addRoute(r: routes.Route): Promise<SystemResult<void>> {
    return routes.addRoute(this.runner, r);
  }
  replaceRoute(r: routes.Route): Promise<SystemResult<void>> {
    return routes.replaceRoute(this.runner, r);
  }
  removeRoute(r: routes.Route): Promise<SystemResult<void>> {
    return routes.removeRoute(this.runner, r);
  }
  routeGet(dst: string): Promise<SystemResult<{ gateway?: string; device: string }>> {
    return routes.routeGet(this.runner, dst);
  }

  setIpForwarding(on: boolean): Promise<SystemResult<void>> {
    return sysctl.setIpForwarding(this.runner, on);
  }
  setProxyArp(device: string, on: boolean): Promise<SystemResult<void>> {
    return sysctl.setProxyArp(this.runner, device, on);
  }
  readSysctl(key: sysctl.SysctlKey): Promise<SystemResult<string>> {
    return sysctl.readSysctl(this.runner, key);
  }
}
