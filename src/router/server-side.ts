// `/interface pptp-server server`: the PPTP listener while enabled=yes, and one Tunnel per
// admitted call. Users come from /ppp secret; their addresses, routes and encryption from the
// secret and its profile (user-plan.ts). A call takes its licence slot only once its user has
// authenticated (SPEC.md "Licence levels"); before that it waits in the PPTP server's pending
// pool, and it has one deadline, from Outgoing-Call to the network phase, that nothing the peer
// sends can extend. The connected users are the rows of /ppp active and the running server
// interfaces.
import { pptpServer, pptpServerSettings, systemIdentity } from '../config/menus/index.js';
import type { ConfigModel } from '../config/model.js';
import type { PppSession as ActiveRow, PendingRow } from '../config/runtime.js';
import type { Logger } from '../log.js';
import { strongestFirst, type AuthMethod } from '../ppp/auth/method.js';
import { DEFAULT_ADMISSION_LIMITS, DEFAULT_TIMERS, PptpServer, type CallInfo, type CallTable, type PoolHoldings } from '../pptp/index.js';
import { OutgoingCallResult } from '../wire/pptp-codes.js';
import type { AddressPools } from './address-pools.js';
import type { TunnelSlots } from './tunnel-slots.js';
import { AuthThrottle, type AuthThrottleOptions, type ThrottleRow } from './auth-throttle.js';
import { Tunnel, type TunnelContext } from './tunnel.js';
import type { Accounting, Radius } from '../radius/index.js';
import { linkProfileOf, planUser, profileOf, secretOf, type UserPlan } from './user-plan.js';

/**
 * From Outgoing-Call to the network phase. Authentication, MPPE and IPCP take a second or two even
 * for a slow client; a call that is not up by then is hung up, so a peer that keeps restarting LCP
 * (which resets PPP's own authentication timer) still holds its pending place for this long only.
 */
export const NETWORK_DEADLINE_MS = 30_000;

interface ServerCall {
  readonly call: CallInfo;
  readonly tunnel: Tunnel;
  plan: UserPlan | undefined;
  /** The name of the secret the user matched (what only-one compares). */
  user: string | undefined;
  /** Gives the licence slot back; set once the user has authenticated. */
  releaseSlot: (() => void) | undefined;
  deadline: NodeJS.Timeout | undefined;
  /** RADIUS accounting of the session, while it runs. */
  accounting: Accounting | undefined;
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
  readonly authThrottle?: AuthThrottleOptions;
  /** RADIUS for users /ppp secret does not hold, and accounting (/ppp aaa). */
  readonly radius?: Radius;
}

export class ServerSide {
  private server: PptpServer | undefined;
  private readonly calls = new Map<number, ServerCall>();
  private transition: Promise<void> = Promise.resolve();
  /** Failed PPP authentications per address and user (issue 15); outlives listener restarts. */
  private readonly throttle: AuthThrottle;

  constructor(private readonly options: ServerSideOptions) {
    this.throttle = new AuthThrottle(options.authThrottle);
  }

  /** Rows of /ppp login-throttle. */
  throttleRows(now: number): ThrottleRow[] {
    return this.throttle.rows(now);
  }

  /**
   * Rows of /interface pptp-server pending: each pool's total, then the addresses holding
   * something, most first. With the server off, the totals are 0 against the default caps.
   */
  pendingRows(): PendingRow[] {
    const idle = (limits: PoolHoldings['limits']): PoolHoldings => ({ limits, total: 0, byAddress: [] });
    const held = this.server?.holdings() ?? { connections: idle(DEFAULT_ADMISSION_LIMITS.connections), pendingCalls: idle(DEFAULT_ADMISSION_LIMITS.pendingCalls) };
    const connectionS = (this.server?.connectionTimeoutMs ?? DEFAULT_TIMERS.noCallMs) / 1000;
    const rows: PendingRow[] = [];
    for (const [kind, pool, timeoutSeconds] of [
      ['connections', held.connections, connectionS],
      ['calls', held.pendingCalls, NETWORK_DEADLINE_MS / 1000],
    ] as const) {
      rows.push({ kind, address: undefined, held: pool.total, limit: pool.limits.total, timeoutSeconds });
      const byAddress = [...pool.byAddress].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      for (const [address, n] of byAddress) rows.push({ kind, address, held: n, limit: pool.limits.perAddress, timeoutSeconds });
    }
    return rows;
  }

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
        ...(up.multilink ? { mrru: up.multilink.sendMrru } : {}),
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
      // The slot itself is taken at authentication; here a call is refused only when the
      // tunnels that hold slots already fill the licence. The PPTP layer logs the refusal.
      admit: () => {
        const full = slots.full();
        if (full === undefined) return { ok: true };
        return { ok: false, reason: full, resultCode: OutgoingCallResult.DoNotAccept };
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

  private authFailed(address: string, name: string | undefined): void {
    const backoff = this.throttle.failed(address, name, Date.now());
    const who = name === undefined ? 'a user' : `user ${name}`;
    const wait = backoff > 0 ? `; logins from ${address}${name === undefined ? '' : ` or as ${name}`} wait ${Math.ceil(backoff / 1000)} s` : '';
    this.options.log.warning(`login failure for ${who} from ${address} via pptp${wait}`);
  }

  private callUp(server: PptpServer, call: CallInfo): void {
    const { model, log, pools } = this.options;
    const settings = model.settings(pptpServerSettings);
    const callLog = log.child(`call ${call.callId} ${call.peer.address}`);
    const address = call.peer.address;
    // The name the peer authenticated as, and whether the throttle refused it unseen.
    const attempt: { name: string | undefined; throttled: boolean } = { name: undefined, throttled: false };
    let entry: ServerCall | undefined;
    let tunnel: Tunnel;
    try {
      tunnel = new Tunnel(this.options.ctx, {
        call,
        log: callLog,
        ppp: {
          role: 'server',
          authentication: strongestFirst(settings.authentication as readonly AuthMethod[]),
          lookupSecret: (name) => {
            attempt.name ??= name;
            const blocked = this.throttle.blocked(address, name, Date.now());
            if (blocked === undefined) return secretOf(model, name);
            // Refused without looking at the password: guessing during a back-off learns nothing.
            if (!attempt.throttled) {
              const what = blocked.kind === 'address' ? `address ${address}` : `user ${name}`;
              log.warning(`login as ${name} from ${address} refused: ${what} is throttled for ${Math.ceil(blocked.waitMs / 1000)} s after failed authentications`);
            }
            attempt.throttled = true;
            return undefined;
          },
          // A throttled login is not sent to RADIUS either: the back-off covers every way in.
          verifyRemote: (name, credential) =>
            attempt.throttled ? undefined : this.options.radius?.verify(name, credential, call.peer.address, settings['default-profile']),
          callerId: call.peer.address,
          service: 'pptp',
          authorize: async ({ user, secret }) => {
            if (!secret) return 'user unknown';
            this.throttle.succeeded(address, user);
            if (tunnel.link.down) return 'link ended during authorization';
            const defaultProfile = settings['default-profile'];
            const plan = planUser(model, pools, secret, defaultProfile);
            if (typeof plan === 'string') {
              log.warning(`user ${user} from ${call.peer.address} refused: ${plan}`);
              return plan;
            }
            // The secret matched, not the name sent: `DOMAIN\user` and `user` are one user.
            if (plan.onlyOne && [...this.calls.values()].some((c) => c !== entry && c.user === secret.name)) {
              plan.release();
              return 'only one session allowed for this user';
            }
            const slot = this.options.slots.reserve();
            if (!slot.ok) {
              plan.release();
              callLog.warning(`${user} from ${call.peer.address} refused: ${slot.reason}, hanging up`);
              return slot.reason;
            }
            // A RADIUS user's Session-Timeout and Idle-Timeout win over the profile's (RFC 2865 5.27, 5.28).
            const remote = secret.remote;
            entry!.plan = remote ? { ...plan, link: { ...plan.link, sessionTimeout: remote.sessionTimeout ?? plan.link.sessionTimeout, idleTimeout: remote.idleTimeout ?? plan.link.idleTimeout } } : plan;
            entry!.user = secret.name;
            entry!.releaseSlot = slot.release;
            server.authenticated(call.callId);
            // No localNetworks: the server always assigns both addresses (PppSession refuses the
            // link otherwise) and IPCP Naks the peer into its assigned one without consulting them.
            // Each tunnel kept its own copy of every host address, other tunnels' included: O(n)
            // per tunnel, about 14 KiB each at 1000 tunnels, and a host read per login.
            return entry!.plan.network;
          },
          maxMtu: settings['max-mtu'],
          maxMru: settings['max-mru'],
          mrru: settings.mrru,
          keepaliveTimeout: settings['keepalive-timeout'],
          localName: model.settings(systemIdentity).name,
        },
        onNetwork: (link) => {
          clearTimeout(entry?.deadline);
          if (entry) entry.deadline = undefined; // a cleared Timeout still keeps its object and callback
          const named = model.list(pptpServer).find((s) => !s.disabled && s.user === link.user);
          log.info(`${link.user} logged in from ${call.peer.address}, ${link.remoteAddress}, ${link.encoding || 'no encryption'}`);
          return {
            name: this.interfaceName(named?.name, link.user, tunnel),
            routes: entry?.plan?.routes ?? [],
            profile: entry?.plan?.link ?? linkProfileOf(model, profileOf(model, settings['default-profile'])),
          };
        },
        onUp: () => {
          const up = tunnel.negotiated;
          if (!entry || !up || !this.options.radius) return;
          const remote = up.secret?.remote;
          entry.accounting = this.options.radius.account({
            user: up.user,
            framedAddress: up.remoteAddress,
            callingStation: call.peer.address,
            classes: remote?.classes ?? [],
            interimInterval: remote?.interimInterval,
            totals: () => tunnel.link.session.counters(),
          });
        },
        onDown: (reason) => {
          clearTimeout(entry?.deadline);
          if (reason.startsWith('authentication failed') && !attempt.throttled) this.authFailed(address, attempt.name);
          entry?.accounting?.stop(reason);
          this.calls.delete(call.callId);
          entry?.plan?.release();
          entry?.releaseSlot?.();
          log.info(`${entry?.user ?? `call ${call.callId}`} from ${call.peer.address} disconnected: ${reason}`);
          server.clearCall(call.callId);
        },
      });
    } catch (e) {
      log.error(`call from ${call.peer.address} cannot get a tunnel interface: ${(e as Error).message}`);
      // After the Outgoing-Call-Reply that follows this call-up, so the peer hears them in order.
      queueMicrotask(() => server.clearCall(call.callId));
      return;
    }
    const deadline = setTimeout(() => {
      if (tunnel.negotiated || tunnel.link.down) return;
      const why = `no network phase within ${NETWORK_DEADLINE_MS / 1000} s of the call`;
      log.warning(`call ${call.callId} from ${call.peer.address} hung up: ${why}`);
      tunnel.link.lowerDown(why);
    }, NETWORK_DEADLINE_MS);
    deadline.unref();
    entry = { call, tunnel, plan: undefined, user: undefined, releaseSlot: undefined, deadline, accounting: undefined };
    this.calls.set(call.callId, entry);
    // The session is open now; LCP starts once the Outgoing-Call-Reply is on its way, so our
    // first Configure-Request does not reach the peer before it knows the call.
    queueMicrotask(() => tunnel.start());
  }
}
