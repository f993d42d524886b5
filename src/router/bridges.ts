// Puts `/interface bridge` and `/interface bridge port` onto the host as Linux bridges, and keeps
// the dynamic ports there: a BCP link's TAP device joins the bridge its profile names while the
// link is up (RFC 3518). Changes run in HostConfig's queue, so a bridge exists before the
// addresses put on it, and a TAP is never enslaved halfway through a bridge being recreated.
import { bridge, bridgePort } from '../config/menus/index.js';
import type { ConfigModel } from '../config/model.js';
import type { Logger } from '../log.js';
import { describeSystemError, type Host, type SystemResult } from '../system/host.js';
import type { HostConfig } from './host-config.js';
import { kernelForm } from './link-names.js';

interface AppliedBridge {
  /** What it was made from: a change means it is made again. */
  readonly key: string;
}

export class Bridges {
  /** Bridges this router made, by kernel name. */
  private readonly applied = new Map<string, AppliedBridge>();
  /** Configured ports enslaved, kernel device -> bridge kernel name. */
  private readonly ports = new Map<string, string>();
  /** Dynamic ports (BCP TAP devices) -> the row id of their bridge (it follows a rename). */
  private readonly dynamic = new Map<string, number>();

  constructor(
    private readonly model: ConfigModel,
    private readonly host: Host,
    private readonly hostConfig: HostConfig,
    private readonly log: Logger,
  ) {}

  private enabledBridge(match: (b: { name: string; id: number }) => boolean): { name: string; id: number } | undefined {
    return this.model.list(bridge).find((b) => match(b) && !b.disabled);
  }

  reconcile(): Promise<void> {
    return this.hostConfig.serialized(() => this.apply());
  }

  /** A BCP link's TAP device joins the bridge called bridgeName; false when there is none. */
  async attach(tap: string, bridgeName: string): Promise<boolean> {
    return this.hostConfig.serialized(async () => {
      const row = this.enabledBridge((b) => b.name === bridgeName);
      const br = row && kernelForm(row.name);
      if (!row || br === undefined || !this.applied.has(br)) return false;
      this.dynamic.set(tap, row.id);
      return this.enslave(tap, br);
    });
  }

  /** The TAP device is gone (or going): forget it. */
  detach(tap: string): void {
    this.dynamic.delete(tap);
  }

  /** Removes every bridge this router made (routerd stopping). */
  clear(): Promise<void> {
    return this.hostConfig.serialized(async () => {
      for (const br of this.applied.keys()) this.report(await this.host.deleteLink(br), `remove bridge ${br}`);
      this.applied.clear();
      this.ports.clear();
    });
  }

  private async apply(): Promise<void> {
    const want = new Map<string, { key: string; mtu: number; mac: string | undefined }>();
    for (const b of this.model.list(bridge)) {
      if (b.disabled) continue;
      const mac = b['auto-mac'] ? undefined : b['admin-mac'] || undefined;
      want.set(kernelForm(b.name), { key: JSON.stringify([b.mtu, mac]), mtu: b.mtu, mac });
    }
    for (const [br, a] of this.applied) {
      if (want.get(br)?.key === a.key) continue;
      this.report(await this.host.deleteLink(br), `remove bridge ${br}`);
      this.applied.delete(br);
      for (const [dev, master] of this.ports) if (master === br) this.ports.delete(dev);
    }
    for (const [br, w] of want) {
      if (this.applied.has(br)) continue;
      const exists = await this.host.getLink(br);
      if (exists.ok && exists.value !== undefined) this.report(await this.host.deleteLink(br), `replace ${br}`);
      if (!this.report(await this.host.createLink(br, 'bridge'), `bridge ${br}`)) continue;
      this.applied.set(br, { key: w.key });
      this.report(await this.host.setLinkMtu(br, w.mtu), `bridge ${br} mtu`);
      if (w.mac) this.report(await this.host.setLinkAddress(br, w.mac), `bridge ${br} admin-mac`);
      this.report(await this.host.setLinkUp(br, true), `bridge ${br} up`);
    }
    // Configured ports: each interface joins at most one bridge (the first enabled row naming it).
    const wantPorts = new Map<string, string>();
    for (const p of this.model.list(bridgePort)) {
      if (p.disabled) continue;
      const dev = this.hostConfig.kernelName(p.interface);
      const target = this.model.interfaceById(p.bridge);
      if (dev === undefined || !target || target.path !== bridge.path) continue;
      const br = kernelForm(String(target.row.values.name));
      if (this.applied.has(br) && !wantPorts.has(dev)) wantPorts.set(dev, br);
    }
    for (const [dev, br] of this.ports) {
      if (wantPorts.get(dev) === br) continue;
      this.report(await this.host.setLinkMaster(dev, null), `${dev} leaves ${br}`);
      this.ports.delete(dev);
    }
    for (const [dev, br] of wantPorts) {
      if (this.ports.get(dev) === br) continue;
      if (await this.enslave(dev, br)) this.ports.set(dev, br);
    }
    // A recreated bridge takes its BCP links back.
    for (const [tap, id] of this.dynamic) {
      const row = this.enabledBridge((b) => b.id === id);
      if (row && this.applied.has(kernelForm(row.name))) await this.enslave(tap, kernelForm(row.name));
    }
  }

  private async enslave(dev: string, br: string): Promise<boolean> {
    if (!this.report(await this.host.setLinkMaster(dev, br), `${dev} joins ${br}`)) return false;
    return this.report(await this.host.setLinkUp(dev, true), `${dev} up`);
  }

  private report(r: SystemResult<void>, what: string): boolean {
    if (!r.ok) this.log.warning(`${what}: ${describeSystemError(r.error)}`);
    return r.ok;
  }
}
