// `/interface pptp-server server`: the PPTP listener while enabled=yes, and one Tunnel per
// admitted call. Users come from /ppp secret; their addresses, routes and encryption from the
// secret and its profile (user-plan.ts). Each call holds a licence slot from Outgoing-Call until
// it is gone. The connected users are the rows of /ppp active and the running server interfaces.
import { pptpServer, pptpServerSettings, systemIdentity } from '../config/menus/index.js';
import type { ConfigModel } from '../config/model.js';
import type { PppSession as ActiveRow } from '../config/runtime.js';
import type { Logger } from '../log.js';
import { strongestFirst, type AuthMethod } from '../ppp/auth/method.js';
import { PptpServer, type CallInfo, type CallTable } from '../pptp/index.js';
import { OutgoingCallResult } from '../wire/pptp-codes.js';
import type { AddressPools } from './address-pools.js';
import type { TunnelSlots } from './tunnel-slots.js';
import { localNetworks } from './local-networks.js';
import { Tunnel, type TunnelContext } from './tunnel.js';
import { linkProfileOf, planUser, profileOf, secretOf, type UserPlan } from './user-plan.js';

interface ServerCall {
  readonly call: CallInfo;
  readonly tunnel: Tunnel;
  plan: UserPlan | undefined;
  user: string | undefined;
}

export interface ServerSideOptions {
  readonly model: ConfigModel;
  readonly ctx: TunnelContext;
  readonly callTable: CallTable;
  readonly slots: TunnelSlots;
  readonly pools: AddressPools;
  readonly log: Logger;
  /** Listen port; 1723 unless a test says otherwise. */
  readonly port?: number;
}

export class ServerSide {
  private server: PptpServer | undefined;
  private readonly calls = new Map<number, ServerCall>();
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly options: ServerSideOptions) {}

  /** Starts or stops the listener to match `enabled`. */
  apply(): Promise<void> {
    this.transition = this.transition.then(async () => {
      const enabled = this.options.model.settings(pptpServerSettings).enabled;
      if (enabled && !this.server) await this.listen();
      else if (!enabled && this.server) await this.shutdown('server disabled');
    });
    return this.transition;
  }

  stop(): Promise<void> {
    this.transition = this.transition.then(() => this.shutdown('router stopping'));
    return this.transition;
  }

  tunnels(): Tunnel[] {
    return [...this.calls.values()].map((c) => c.tunnel);
  }

  /** Rows of /ppp active: users whose link reached the network phase. */
  sessions(now: number): ActiveRow[] {
    const rows: ActiveRow[] = [];
    for (const c of this.calls.values()) {
      const up = c.tunnel.negotiated;
      const since = c.tunnel.link.runningSince;
      if (!up || since === undefined) continue;
      const counters = c.tunnel.link.session.counters();
      rows.push({
        id: String(c.call.callId),
        user: up.user,
        service: 'pptp',
        callerId: c.call.peer.address,
        address: up.remoteAddress,
        clientAddress: c.call.peer.address,
        interfaceName: c.tunnel.name,
        uptime: Math.floor((now - since) / 1000),
        encoding: up.encoding || 'none',
        mtu: up.mtu,
        mru: up.mru,
        bytesIn: counters.rxBytes,
        bytesOut: counters.txBytes,
      });
    }
    return rows;
  }

  disconnect(id: string): boolean {
    const c = this.calls.get(Number(id));
    if (!c || c.tunnel.link.down) return false;
    void c.tunnel.link.close('disconnected by administrator');
    return true;
  }

  private async listen(): Promise<void> {
    const { log, callTable, slots, model } = this.options;
    const server = new PptpServer({
      logger: log,
      port: this.options.port,
      callTable,
      hostName: model.settings(systemIdentity).name,
      admit: () => {
        const r = slots.reserve();
        // The PPTP layer logs the refusal with the caller's address.
        if (r.ok) return { ok: true, release: r.release };
        return { ok: false, reason: r.reason, resultCode: OutgoingCallResult.DoNotAccept };
      },
    });
    server.on('call-up', (call) => this.callUp(server, call));
    server.on('call-down', (call, reason) => this.calls.get(call.callId)?.tunnel.link.lowerDown(`PPTP call ended: ${reason}`));
    server.on('connection-down', (conn, reason, error) => {
      if (error) log.warning(`control connection from ${conn.peer.address} closed: ${reason}`);
    });
    this.server = server;
    try {
      await server.listen();
    } catch (e) {
      this.server = undefined;
      log.error(`PPTP server cannot listen: ${(e as Error).message}`);
    }
  }

  private async shutdown(why: string): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // RFC 1661 Terminate first, so the peer hears why; then the calls and the connections.
    await Promise.all([...this.calls.values()].map((c) => c.tunnel.link.close(why)));
    await server.close();
  }

  /**
   * The user's static entry, else `<pptp-USER>`; a second session of the same user gets
   * `<pptp-USER-1>`, `<pptp-USER-2>` ... as on RouterOS, so every interface name is unique.
   */
  private interfaceName(staticName: string | undefined, user: string, self: Tunnel): string {
    const taken = new Set([...this.calls.values()].filter((c) => c.tunnel !== self && c.tunnel.negotiated).map((c) => c.tunnel.name));
    if (staticName !== undefined && !taken.has(staticName)) return staticName;
    // With its static entry in use, the user's next session is never plain <pptp-USER>.
    const nameOf = (n: number): string => (n === 0 ? `<pptp-${user}>` : `<pptp-${user}-${n}>`);
    let n = staticName === undefined ? 0 : 1;
    while (taken.has(nameOf(n))) n++;
    return nameOf(n);
  }

  private callUp(server: PptpServer, call: CallInfo): void {
    const { model, log, pools } = this.options;
    const settings = model.settings(pptpServerSettings);
    const callLog = log.child(`call ${call.callId} ${call.peer.address}`);
    let entry: ServerCall | undefined;
    let tunnel: Tunnel;
    try {
      tunnel = new Tunnel(this.options.ctx, {
        call,
        log: callLog,
        ppp: {
          role: 'server',
          authentication: strongestFirst(settings.authentication as readonly AuthMethod[]),
          lookupSecret: (name) => secretOf(model, name),
          callerId: call.peer.address,
          service: 'pptp',
          authorize: async ({ user, secret }) => {
            if (!secret) return 'user unknown';
            // Read first: the pool addresses planUser takes are given back only through entry.plan.
            const ours = await localNetworks(this.options.ctx.host, callLog);
            if (tunnel.link.down) return 'link ended during authorization';
            const defaultProfile = settings['default-profile'];
            const plan = planUser(model, pools, secret, defaultProfile);
            if (typeof plan === 'string') {
              log.warning(`user ${user} from ${call.peer.address} refused: ${plan}`);
              return plan;
            }
            if (plan.onlyOne && [...this.calls.values()].some((c) => c !== entry && c.user === user)) {
              plan.release();
              return 'only one session allowed for this user';
            }
            entry!.plan = plan;
            entry!.user = user;
            return { ...plan.network, localNetworks: ours };
          },
          maxMtu: settings['max-mtu'],
          maxMru: settings['max-mru'],
          mrru: settings.mrru,
          keepaliveTimeout: settings['keepalive-timeout'],
          localName: model.settings(systemIdentity).name,
        },
        onNetwork: (link) => {
          const named = model.list(pptpServer).find((s) => !s.disabled && s.user === link.user);
          log.info(`${link.user} logged in from ${call.peer.address}, ${link.remoteAddress}, ${link.encoding || 'no encryption'}`);
          return {
            name: this.interfaceName(named?.name, link.user, tunnel),
            routes: entry?.plan?.routes ?? [],
            profile: entry?.plan?.link ?? linkProfileOf(model, profileOf(model, settings['default-profile'])),
          };
        },
        onDown: (reason) => {
          this.calls.delete(call.callId);
          entry?.plan?.release();
          log.info(`${entry?.user ?? `call ${call.callId}`} from ${call.peer.address} disconnected: ${reason}`);
          server.clearCall(call.callId);
        },
      });
    } catch (e) {
      log.error(`call from ${call.peer.address} cannot get a tunnel interface: ${(e as Error).message}`);
      server.clearCall(call.callId);
      return;
    }
    entry = { call, tunnel, plan: undefined, user: undefined };
    this.calls.set(call.callId, entry);
    tunnel.start();
  }
}
