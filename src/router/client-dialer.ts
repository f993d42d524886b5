// One enabled `/interface pptp-client` row: dial connect-to, place a call, run PPP over it, and
// when anything ends (refused, wrong password, peer gone) wait and dial again, backing off from
// 2 s to 60 s and starting over after a session that came up. A licence slot is held from dialing
// until the tunnel is gone; without one the client does not dial and its status says why.
import type { RowOf } from '../config/schema.js';
import type { pptpClient } from '../config/menus/index.js';
import type { ClientStatus } from '../config/runtime.js';
import type { Logger } from '../log.js';
import type { AuthMethod } from '../ppp/auth/method.js';
import type { PppStatus } from '../ppp/session.js';
import { PptpClientConnection, type CallTable } from '../pptp/index.js';
import { StopReason } from '../wire/pptp-codes.js';
import type { Host, Route } from '../system/host.js';
import type { TunnelSlots } from './tunnel-slots.js';
import { Tunnel, type TunnelContext } from './tunnel.js';
import type { UseEncryption } from '../ppp/session.js';
import { localNetworks } from './local-networks.js';
import { MPPE_KEY_LENGTHS, type LinkProfile } from './user-plan.js';

export type ClientRow = RowOf<typeof pptpClient>;

/** What a client takes from its /ppp profile. */
export interface ClientProfile {
  readonly useEncryption: UseEncryption;
  readonly link: LinkProfile;
  /** The bridge the link joins over BCP (profile bridge=); undefined: no BCP. */
  readonly bridge?: string | undefined;
}

/** RouterOS's pptp-client keepalive-timeout default (the menu has no property for it). */
const CLIENT_KEEPALIVE_S = 60;
const FIRST_RETRY_MS = 2000;
const LAST_RETRY_MS = 60_000;

export interface ClientDialerOptions {
  readonly row: ClientRow;
  readonly ctx: TunnelContext;
  readonly host: Host;
  readonly callTable: CallTable;
  readonly slots: TunnelSlots;
  readonly log: Logger;
  readonly identity: () => string;
  readonly profile: ClientProfile;
  /** PPTP server port; 1723 unless a test says otherwise. */
  readonly port?: number;
}

export class ClientDialer {
  private state: string = 'dialing';
  private tunnel: Tunnel | undefined;
  private connection: PptpClientConnection | undefined;
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;
  private wake: (() => void) | undefined;
  private readonly loop: Promise<void>;

  constructor(private readonly options: ClientDialerOptions) {
    this.loop = this.run();
  }

  get row(): ClientRow {
    return this.options.row;
  }

  get profile(): ClientProfile {
    return this.options.profile;
  }

  get current(): Tunnel | undefined {
    return this.tunnel;
  }

  status(now: number): ClientStatus {
    const link = this.tunnel?.link;
    const up = this.tunnel?.negotiated;
    const since = link?.runningSince;
    if (!link || !up || since === undefined) {
      // PPP may say connected a moment before the interface is configured; it is not yet.
      return { status: this.state === 'connected' ? 'verifying password...' : this.state };
    }
    return {
      status: 'connected',
      uptime: Math.floor((now - since) / 1000),
      idleTime: Math.floor((now - link.lastActivity) / 1000),
      encoding: up.encoding || 'none',
      mtu: up.mtu,
      mru: up.mru,
      ...(up.multilink ? { mrru: up.multilink.sendMrru } : {}),
    };
  }

  /** Hangs up politely (LCP Terminate, Call-Clear, Stop-Control-Connection) and stops dialing. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.tunnel?.link.close('interface disabled');
    await this.connection?.stop(StopReason.StopLocalShutdown);
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const { log, slots } = this.options;
    while (!this.stopped) {
      const slot = slots.reserve();
      if (!slot.ok) {
        if (this.state !== slot.reason) log.warning(`${this.row.name}: not dialing: ${slot.reason}`);
        this.state = slot.reason;
        const off = slots.onRelease(() => this.wake?.());
        await this.sleep(LAST_RETRY_MS);
        off();
        continue;
      }
      let cameUp = false;
      try {
        cameUp = await this.session();
      } finally {
        slot.release();
      }
      if (this.stopped) break;
      if (cameUp) this.retryMs = FIRST_RETRY_MS;
      await this.sleep(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
    }
    this.state = 'terminated';
  }

  /** One dial; resolves when it is over, true when the link had come up. */
  private async session(): Promise<boolean> {
    const { row, log } = this.options;
    this.state = 'dialing';
    const connection = new PptpClientConnection({
      host: row['connect-to'],
      port: this.options.port,
      logger: log,
      hostName: this.options.identity(),
      callTable: this.options.callTable,
    });
    this.connection = connection;
    let pin: Route | undefined;
    const closed = new Promise<string>((resolve) => connection.once('closed', (reason) => resolve(reason)));
    try {
      await connection.connect();
      if (this.stopped) return false;
      if (row['add-default-route']) pin = await this.pinServerRoute();
      // Read before the call is placed, so the server's first PPP frames never wait on it.
      const ours = await localNetworks(this.options.host, log);
      if (this.stopped) return false;
      let cameUp = false;
      let endedWith: (reason: string) => void = () => {};
      const ended = new Promise<string>((resolve) => (endedWith = resolve));
      const placed = connection.placeCall();
      placed.answered.catch(() => {}); // awaited below; handled here too in case the tunnel cannot be made
      // The tunnel (and its data-plane session) exists before the reply, so the server's first
      // LCP Configure-Request, sent right after it, is kept instead of costing a 3 s restart.
      const tunnel = new Tunnel(this.options.ctx, {
        call: { callId: placed.callId, peer: placed.peer, local: placed.local },
        name: row.name,
        log: log.child(row.name),
        ppp: {
          role: 'client',
          user: row.user,
          password: row.password,
          allow: row.allow as readonly AuthMethod[],
          network: { useEncryption: this.options.profile.useEncryption, mppeKeyLengths: MPPE_KEY_LENGTHS, localNetworks: ours, bridge: this.options.profile.bridge },
          maxMtu: row['max-mtu'],
          maxMru: row['max-mru'],
          mrru: row.mrru,
          keepaliveTimeout: CLIENT_KEEPALIVE_S,
          localName: this.options.identity(),
        },
        onStatus: (s: PppStatus) => {
          this.state = s;
        },
        onNetwork: (link) => {
          log.info(`${row.name}: connected to ${row['connect-to']}, ${link.localAddress} -> ${link.remoteAddress}, ${link.encoding || 'no encryption'}`);
          return {
            name: row.name,
            routes: row['add-default-route'] ? [{ dst: '0.0.0.0/0', distance: 1 }] : [],
            profile: this.options.profile.link,
          };
        },
        onUp: () => {
          cameUp = true;
        },
        onDown: (reason) => endedWith(reason),
      });
      const call = await placed.answered.catch(async (e: Error) => {
        await tunnel.discard(e.message);
        throw e;
      });
      if (this.stopped) {
        await tunnel.discard('interface disabled');
        return false;
      }
      tunnel.link.answered(call.peerCallId);
      this.tunnel = tunnel;
      tunnel.start();
      void closed.then((reason) => this.tunnel?.link.lowerDown(`PPTP control connection closed: ${reason}`));
      connection.on('call-down', (down, reason) => {
        if (down.callId === call.callId) this.tunnel?.link.lowerDown(`PPTP call ended: ${reason}`);
      });
      const reason = await ended;
      if (!this.stopped) log.info(`${row.name}: disconnected: ${reason}`);
      this.state = this.stopped ? 'terminated' : reason;
      this.tunnel = undefined;
      await connection.clearCall(call.callId);
      await connection.stop(StopReason.None);
      return cameUp;
    } catch (e) {
      if (!this.stopped) {
        this.state = (e as Error).message;
        log.warning(`${row.name}: cannot connect to ${row['connect-to']}: ${(e as Error).message}`);
      }
      this.tunnel = undefined;
      await connection.stop(StopReason.None).catch(() => {});
      return false;
    } finally {
      this.connection = undefined;
      if (pin) await this.options.host.removeRoute(pin);
    }
  }

  /**
   * add-default-route=yes sends everything through the tunnel, except the tunnel itself: a host
   * route to the server along today's path keeps the GRE and TCP 1723 off the default route.
   */
  private async pinServerRoute(): Promise<Route | undefined> {
    const { host, row, log } = this.options;
    const server = row['connect-to'];
    const path = await host.routeGet(server);
    if (!path.ok || !path.value.gateway) return undefined; // on a connected subnet: nothing to pin
    const pin: Route = { dst: `${server}/32`, gateway: path.value.gateway, device: path.value.device, distance: 1 };
    const done = await host.replaceRoute(pin);
    if (done.ok) return pin;
    log.warning(`${row.name}: host route to ${server} not installed: ${done.error.stderr.trim()}`);
    return undefined;
  }
}
