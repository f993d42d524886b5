// src/router: the reconciler that turns configuration into running tunnels (issue 5).
//   index.ts          startRouter: owns the host, the data plane, the call table and the licence
//                     slots; follows configuration changes; answers the console's RuntimeState
//   server-side.ts    /interface pptp-server server: the listener and one Tunnel per call
//   client-dialer.ts  one per enabled /interface pptp-client: dial, run, redial
//   tunnel.ts         a PppLink plus its interface on the host (name, address, routes)
//   ppp-link.ts       data-plane session joined to the PPP engine; GRE watch and idle time
//   host-config.ts    /ip address, /ip route, /interface ethernet onto the host
//   user-plan.ts      a user's addresses, routes and encryption from secret + profile + pool
//   tunnel-slots.ts   the licence's tunnel limit, shared by both roles
//   link-names.ts     RouterOS interface names onto 15-character kernel names
// Everything is reconciled from the model: a change event re-reads the relevant menu and makes
// the running state match it; nothing is patched incrementally from the event's contents.
import { bridge, dhcpClient, ethernet, pptpClient, pptpServer, systemIdentity, systemNtpClient } from '../config/menus/index.js';
import type { ChangeEvent } from '../config/model.js';
import type { Router, RouterDeps, StartRouter } from '../config/router-contract.js';
import type { ClientStatus, DhcpClientStatus, DhcpLease, DnsCacheRow, DynamicEntry, EthernetPort, InterfaceStats, LoginThrottleRow, NtpClientStatus, PendingRow, PppSession, RuleCounters, RuntimeState, TrackedConnection } from '../config/runtime.js';
import { WallClock } from '../wall-clock.js';
import { followPptpServer } from '../config/defconf-pptp.js';
import { NtpClient } from './ntp-client.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeMppe } from '../crypto/mppe-native.js';
import type { DataPlane } from '../dataplane/dataplane.js';
import { createDataPlane, defaultDataPlaneKind } from '../dataplane/factory.js';
import { CallTable } from '../pptp/index.js';
import { describeSystemError } from '../system/host.js';
import { ClaimedHost, TunnelHost } from '../system/claimed-host.js';
import { HostClaims } from '../system/host-claims.js';
import { reclaimLeftovers } from './leftovers.js';
import { ethernetPorts, kernelCounters } from '../system/resources.js';
import { AddressPools } from './address-pools.js';
import { ClientDialer, type ClientProfile, type ClientRow } from './client-dialer.js';
import { DhcpClientRunner } from './dhcp-client.js';
import { DhcpDns } from './dhcp-dns.js';
import { Firewall } from './firewall.js';
import { Bridges } from './bridges.js';
import { HostConfig } from './host-config.js';
import { kernelForm, LinkNames } from './link-names.js';
import { ServerSide } from './server-side.js';
import { Radius } from '../radius/index.js';
import { TunnelSlots } from './tunnel-slots.js';
import { tunnelAddressEntries, tunnelRouteEntries, type UpTunnel } from './tunnel-entries.js';
import type { Tunnel, TunnelContext } from './tunnel.js';
import { encryptionOf, linkProfileOf, profileOf } from './user-plan.js';
import { monotonicNow } from '../monotonic.js';

const TICK_MS = 1000;

export const startRouter: StartRouter = async (deps) => {
  const router = new RouterdRouter(deps);
  await router.start();
  return router;
};

class RouterdRouter implements Router, RuntimeState {
  readonly runtime: RuntimeState = this;
  /** Claims what it changes on the host, so the next run after a crash finds its leftovers. */
  private readonly host: ClaimedHost;
  private readonly plane: DataPlane;
  private readonly hostConfig: HostConfig;
  private readonly bridges: Bridges;
  private readonly firewall: Firewall;
  private readonly dhcpDns: DhcpDns;
  private readonly ntp: NtpClient;
  private readonly runDir: string;
  /** Running /ip dhcp-client rows by id, with the row they were started for. */
  private readonly dhcpClients = new Map<number, { readonly key: string; readonly runner: DhcpClientRunner }>();
  /** The last address each DHCP client's lease gave (kept while a lease is lost). */
  private readonly wanAddresses = new Map<number, string>();
  private readonly slots: TunnelSlots;
  private readonly callTable = new CallTable();
  private readonly ctx: TunnelContext;
  private readonly server: ServerSide;
  private readonly radius: Radius;
  private readonly clients = new Map<number, ClientDialer>();
  private ports: EthernetPort[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopping = false;
  private readonly log;

  constructor(private readonly deps: RouterDeps) {
    this.log = deps.log.logger('router');
    const planeKind = deps.dataplane ?? defaultDataPlaneKind();
    this.plane = createDataPlane(planeKind, { log: deps.log.logger('dataplane') });
    this.log.info(`data plane: ${planeKind}`);
    this.runDir = join(deps.dataDir ?? join(tmpdir(), `routerd-${process.pid}`), 'run');
    this.host = new ClaimedHost(new HostClaims(join(this.runDir, 'host-claims.json')));
    this.hostConfig = new HostConfig(deps.model, this.host, deps.log.logger('system'));
    this.bridges = new Bridges(deps.model, this.host, this.hostConfig, deps.log.logger('bridge'));
    this.firewall = new Firewall(deps.model, this.host.runner, deps.log.logger('firewall'));
    this.dhcpDns = new DhcpDns(deps.model, this.runDir, deps.log.logger('dhcp'), (c) => this.host.claims.claimProcess('dnsmasq', c));
    this.ntp = new NtpClient(deps.clock ?? new WallClock(), deps.log.logger('system', 'clock'));
    this.slots = new TunnelSlots(deps.license);
    this.ctx = { host: new TunnelHost(this.host), hostConfig: this.hostConfig, plane: this.plane, mppe: nativeMppe, names: new LinkNames(), bridges: this.bridges };
    this.radius = new Radius(deps.model, deps.log.logger('radius'));
    this.server = new ServerSide({
      radius: this.radius,
      model: deps.model,
      ctx: this.ctx,
      callTable: this.callTable,
      slots: this.slots,
      pools: new AddressPools(),
      log: deps.log.logger('pptp-server'),
    });
  }

  async start(): Promise<void> {
    this.ports = await ethernetPorts(this.deps.ethernet);
    // A router forwards: the LAN behind one tunnel reaches the LAN behind another.
    const fwd = await this.host.setIpForwarding(true);
    if (!fwd.ok) this.log.error(`IP forwarding not enabled: ${describeSystemError(fwd.error)}`);
    this.unsubscribe = this.deps.model.onChange((e) => this.changed(e));
    this.followPptpServer();
    this.ticker = setInterval(() => void this.tick(), TICK_MS);
    this.ticker.unref();
    const left = await reclaimLeftovers(this.host, this.host.claims, this.log);
    this.hostConfig.adopt(left.addresses, left.routes);
    await this.bridges.reconcile();
    await this.hostConfig.reconcile();
    await this.firewall.reconcile();
    await this.dhcpDns.reconcile();
    this.reconcileDhcpClients();
    this.reconcileNtp();
    await this.server.apply();
    this.reconcileClients();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.unsubscribe?.();
    clearInterval(this.ticker);
    this.ntp.stop();
    const dialers = [...this.clients.values()];
    this.clients.clear();
    await Promise.all([this.server.stop(), ...dialers.map((d) => d.stop())]);
    await Promise.all([...this.dhcpClients.values()].map((c) => c.runner.stop()));
    this.dhcpClients.clear();
    await this.dhcpDns.stop();
    await this.hostConfig.clear();
    await this.bridges.clear();
    this.plane.close();
    this.log.info('all tunnels stopped');
  }

  // ---- RuntimeState -------------------------------------------------------------------------

  clientStatus(name: string): ClientStatus | undefined {
    const dialer = [...this.clients.values()].find((d) => d.row.name === name);
    return dialer?.status(monotonicNow());
  }

  sessions(): readonly PppSession[] {
    return this.server.sessions(monotonicNow());
  }

  disconnect(sessionId: string): boolean {
    return this.server.disconnect(sessionId);
  }

  loginThrottle(): readonly LoginThrottleRow[] {
    return this.server.throttleRows(Date.now()).map((r) => ({ kind: r.kind, name: r.name, failures: r.failures, waitSeconds: Math.ceil(r.waitMs / 1000) }));
  }

  pptpPending(): readonly PendingRow[] {
    return this.server.pendingRows();
  }

  ethernetPorts(): readonly EthernetPort[] {
    return this.ports;
  }

  ruleCounters(path: string, id: number): RuleCounters | undefined {
    return this.firewall.ruleCounters(path, id);
  }

  connections(): readonly TrackedConnection[] {
    return this.firewall.connections();
  }

  dhcpLeases(): readonly DhcpLease[] {
    return this.dhcpDns.leases();
  }

  dhcpClientStatus(id: number): DhcpClientStatus | undefined {
    return this.dhcpClients.get(id)?.runner.status(monotonicNow());
  }

  dhcpClientAction(id: number, action: 'release' | 'renew'): string | undefined {
    const client = this.dhcpClients.get(id);
    if (!client) return 'failure: the DHCP client is not running';
    return action === 'release' ? client.runner.release() : client.runner.renew();
  }

  dynamicEntries(path: '/ip address' | '/ip route' | '/interface bridge port'): readonly DynamicEntry[] {
    if (path === '/interface bridge port') {
      const all = [...this.server.tunnels(), ...[...this.clients.values()].map((d) => d.current)];
      return all.flatMap((t) => {
        const bridge = t?.link.bridgedTo;
        return t && bridge !== undefined ? [{ values: { interface: t.name, bridge } }] : [];
      });
    }
    const { addresses, routes } = this.hostConfig.dynamicEntries();
    const nameOf = (dev: string | undefined): string =>
      this.deps.model.list(ethernet).find((p) => p['default-name'] === dev)?.name ?? dev ?? '';
    const tunnels = this.upTunnels();
    if (path === '/ip address') {
      return [...addresses.map((a) => ({ values: { address: `${a.local}/${a.prefixLength}`, interface: nameOf(a.device) } })), ...tunnelAddressEntries(tunnels)];
    }
    return [
      // A lease's default route is static in RouterOS's sense (not learnt by a routing protocol).
      ...routes.map((r) => ({
        values: { 'dst-address': r.dst, gateway: r.gateway ?? nameOf(r.device), distance: String(r.distance ?? 1) },
        flags: this.hostConfig.dynamicRouteActive(r) ? 'AS' : 'S',
      })),
      ...this.hostConfig.connectedRoutes().map((c) => ({ values: { 'dst-address': c.dst, gateway: c.interface, distance: '0' }, flags: 'AC' })),
      ...tunnelRouteEntries(tunnels),
    ];
  }

  routeActive(id: number): boolean {
    return this.hostConfig.routeActive(id);
  }

  /** Tunnels of both roles that are up and configured on the host. */
  private upTunnels(): UpTunnel[] {
    const all = [...this.server.tunnels(), ...[...this.clients.values()].map((d) => d.current)];
    return all.flatMap((t) => (t?.negotiated && t.installed
      ? [{ name: t.name, localAddress: t.negotiated.localAddress, remoteAddress: t.negotiated.remoteAddress, routes: t.installed }]
      : []));
  }

  dnsCache(): Promise<readonly DnsCacheRow[] | string> {
    return this.dhcpDns.cache();
  }

  dnsCacheFlush(): Promise<string | undefined> {
    return this.dhcpDns.flushCache();
  }

  ntpStatus(): NtpClientStatus {
    const s = this.ntp.current;
    return {
      status: s.status,
      dynamicServers: this.peerNtp(),
      ...(s.syncedServer !== undefined ? { syncedServer: s.syncedServer } : {}),
      ...(s.syncedStratum !== undefined ? { syncedStratum: s.syncedStratum } : {}),
      ...(s.offsetMs !== undefined ? { offsetMs: s.offsetMs } : {}),
      ...(s.lastError !== undefined ? { lastError: s.lastError } : {}),
    };
  }

  radiusCounters(id: number): Readonly<Record<string, string>> {
    return this.radius.monitor(id);
  }

  interfaces(): readonly InterfaceStats[] {
    const { model } = this.deps;
    const out: InterfaceStats[] = [];
    for (const port of model.list(ethernet)) {
      const hw = this.ports.find((p) => p.defaultName === port['default-name']);
      out.push({
        name: port.name,
        type: 'ether',
        running: !!hw?.running && !port.disabled,
        dynamic: false,
        disabled: port.disabled,
        mtu: port.mtu,
        ...kernelCounters(port['default-name']),
      });
    }
    for (const b of model.list(bridge)) {
      out.push({ name: b.name, type: 'bridge', running: !b.disabled, dynamic: false, disabled: b.disabled, mtu: b.mtu, ...kernelCounters(kernelForm(b.name)) });
    }
    const tunnelRow = (name: string, type: string, tunnel: Tunnel | undefined, flags: { dynamic: boolean; disabled: boolean }): InterfaceStats => {
      const up = tunnel?.link.runningSince !== undefined ? tunnel : undefined;
      const c = up?.link.session.counters();
      return {
        name,
        type,
        running: !!up,
        ...flags,
        mtu: up?.negotiated?.mtu,
        rxBytes: c?.rxBytes ?? 0,
        txBytes: c?.txBytes ?? 0,
        rxPackets: c?.rxPackets ?? 0,
        txPackets: c?.txPackets ?? 0,
      };
    };
    const serverTunnels = this.server.tunnels().filter((t) => t.negotiated);
    for (const row of model.list(pptpServer)) {
      out.push(tunnelRow(row.name, 'pptp-in', serverTunnels.find((t) => t.name === row.name), { dynamic: false, disabled: row.disabled }));
    }
    for (const t of serverTunnels.filter((t) => t.name.startsWith('<'))) {
      out.push(tunnelRow(t.name, 'pptp-in', t, { dynamic: true, disabled: false }));
    }
    for (const row of model.list(pptpClient)) {
      const dialer = this.clients.get(row.id);
      out.push(tunnelRow(row.name, 'pptp-out', dialer?.current, { dynamic: false, disabled: row.disabled }));
    }
    return out;
  }

  // ---- reconciling ----------------------------------------------------------------------------

  private changed(e: ChangeEvent): void {
    if (this.stopping) return;
    const path = e.op === 'reset' ? undefined : e.path;
    if (path === undefined || path === '/interface pptp-server server') void this.server.apply();
    // Its own change event (the rules' disabled flag) comes back here and finds nothing to do.
    if (path === undefined || path === '/interface pptp-server server' || path === '/ip firewall filter') this.followPptpServer();
    if (path === undefined || path === '/interface pptp-client' || path === '/ppp profile') this.reconcileClients();
    if (path === undefined || path.startsWith('/interface bridge') || path === '/interface ethernet') void this.bridges.reconcile();
    if (path === undefined || path.startsWith('/ip') || path === '/interface ethernet' || path.startsWith('/interface pptp') || path.startsWith('/interface bridge')) {
      void this.hostConfig.reconcile();
    }
    // Interface names are in the rules (renames), the server's state in the tunnel hint.
    if (path === undefined || path.startsWith('/ip firewall') || path.startsWith('/interface')) void this.firewall.reconcile();
    if (path === undefined || path === '/ip dhcp-client' || path === '/interface ethernet') this.reconcileDhcpClients();
    if (path === undefined || path === '/system ntp client' || path === '/ip dhcp-client') this.reconcileNtp();
    if (path === undefined || path.startsWith('/ip dhcp-server') || path.startsWith('/ip dns') || path === '/ip pool' || path.startsWith('/interface')) {
      void this.dhcpDns.reconcile();
    }
  }

  /** One udhcpc per enabled /ip dhcp-client row whose port exists; a changed row starts afresh. */
  private reconcileDhcpClients(): void {
    const model = this.deps.model;
    const want = new Map<number, { key: string; device: string; row: ReturnType<typeof model.list<typeof dhcpClient>>[number] }>();
    for (const row of model.list(dhcpClient)) {
      if (row.disabled) continue;
      const device = this.hostConfig.kernelName(row.interface);
      if (device === undefined) continue;
      want.set(row.id, { key: JSON.stringify([row, device]), device, row });
    }
    for (const [id, c] of this.dhcpClients) {
      if (want.get(id)?.key === c.key) continue;
      this.dhcpClients.delete(id);
      void c.runner.stop();
    }
    for (const [id, w] of want) {
      if (this.dhcpClients.has(id)) continue;
      const runner: DhcpClientRunner = new DhcpClientRunner({
        device: w.device,
        hostName: model.settings(systemIdentity).name.replace(/[^A-Za-z0-9-]/g, '-'),
        dir: this.runDir,
        log: this.deps.log.logger('dhcp'),
        started: (c) => this.host.claims.claimProcess('udhcpc', c),
        onLease: (lease) => {
          const addresses = lease ? [{ device: w.device, local: lease.address.split('/')[0]!, prefixLength: Number(lease.address.split('/')[1]) }] : [];
          const routes = lease?.gateway && w.row['add-default-route']
            ? [{ dst: '0.0.0.0/0', gateway: lease.gateway, distance: w.row['default-route-distance'] }]
            : [];
          const installed = this.hostConfig.setDynamic(`dhcp-client:${id}`, addresses, routes);
          void this.dhcpDns.setDynamicServers(this.peerDns());
          this.reconcileNtp();
          // A new WAN address (not the same one renewed, nor a lease lost and not yet replaced):
          // tunnels dialled from the old one are dead, so their clients dial again at once.
          const before = this.wanAddresses.get(id);
          if (lease) this.wanAddresses.set(id, lease.address);
          if (lease && before !== undefined && before !== lease.address) {
            void installed.then(() => this.redialThrough(w.device, `${before} -> ${lease.address}`));
          }
        },
      });
      this.dhcpClients.set(id, { key: w.key, runner });
      runner.start();
    }
  }

  private followPptpServer(): void {
    const changed = followPptpServer(this.deps.model);
    if (changed) this.deps.log.logger('firewall').info(changed);
  }

  /** Starts afresh every pptp-client whose route to its server leaves through device. */
  private async redialThrough(device: string, change: string): Promise<void> {
    for (const [id, dialer] of [...this.clients]) {
      const route = await this.host.routeGet(dialer.row['connect-to']);
      if (!route.ok || route.value.device !== device || this.clients.get(id) !== dialer) continue;
      this.deps.log.logger('pptp-client').info(`${dialer.row.name}: address on ${device} changed (${change}): dialing again`);
      this.clients.delete(id);
      void dialer.stop();
    }
    this.reconcileClients();
  }

  /** NTP servers of every lease whose client has use-peer-ntp. */
  private peerNtp(): string[] {
    const rows = new Map(this.deps.model.list(dhcpClient).map((r) => [r.id, r]));
    return [...this.dhcpClients].flatMap(([id, c]) => (rows.get(id)?.['use-peer-ntp'] ? c.runner.current?.ntp ?? [] : []));
  }

  /** The NTP client asks the configured servers first, then those the DHCP leases named. */
  private reconcileNtp(): void {
    const settings = this.deps.model.settings(systemNtpClient);
    this.ntp.configure(settings.enabled, [...settings.servers, ...this.peerNtp()]);
  }

  /** DNS servers of every lease whose client has use-peer-dns. */
  private peerDns(): string[] {
    const rows = new Map(this.deps.model.list(dhcpClient).map((r) => [r.id, r]));
    return [...this.dhcpClients].flatMap(([id, c]) => (rows.get(id)?.['use-peer-dns'] ? c.runner.current?.dns ?? [] : []));
  }

  /** One dialer per enabled client row; a row that changed gets a new dialer. */
  private reconcileClients(): void {
    const rows = new Map(this.deps.model.list(pptpClient).filter((r) => !r.disabled).map((r) => [r.id, r]));
    for (const [id, dialer] of this.clients) {
      const row = rows.get(id);
      if (row && sameValue(row, dialer.row) && sameValue(this.profileFor(row), dialer.profile)) continue;
      this.clients.delete(id);
      void dialer.stop();
    }
    for (const [id, row] of rows) {
      if (this.clients.has(id)) continue;
      this.clients.set(id, new ClientDialer({
        row,
        ctx: this.ctx,
        host: this.host,
        callTable: this.callTable,
        slots: this.slots,
        log: this.deps.log.logger('pptp-client'),
        identity: () => this.deps.model.settings(systemIdentity).name,
        profile: this.profileFor(row),
      }));
    }
  }

  private profileFor(row: ClientRow): ClientProfile {
    const profile = profileOf(this.deps.model, row.profile);
    return { useEncryption: encryptionOf(profile['use-encryption']), link: linkProfileOf(this.deps.model, profile), bridge: profile.bridge || undefined };
  }

  private async tick(): Promise<void> {
    const now = monotonicNow();
    for (const t of this.server.tunnels()) t.link.tick(now);
    for (const d of this.clients.values()) d.current?.link.tick(now);
    const ports = await ethernetPorts(this.deps.ethernet);
    this.ports = ports;
    await this.firewall.refreshCounters();
  }
}

function sameValue<T>(a: T, b: T): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
