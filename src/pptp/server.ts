// PptpServer: listens on TCP 1723 (RFC 2637 section 1.3) and runs a ServerControlConnection per
// accepted connection. All connections share one call table, so Call IDs are unique per server
// (or per router, when the router hands in its own table), and one admission hook, which is
// where the licence limit plugs in. Until its call has authenticated (the owner says so with
// authenticated()), a peer is held to small pools counted per source address and in total:
// control connections, and pending calls (SPEC.md "Licence levels"), so peers that never log in
// can neither exhaust the server nor lock legitimate users out.

import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from '../log.js';
import { OutgoingCallResult, PPTP_TCP_PORT, StopReason, type DisconnectResult } from '../wire/pptp-codes.js';
import { AddressQuota, type QuotaLimits } from './address-quota.js';
import { CallTable } from './call-table.js';
import { ControlSocket } from './control-socket.js';
import { DEFAULT_TIMERS, type Admission, type AdmissionHook, type AdmissionRequest, type CallInfo, type ControlTimers, type PeerEndpoint } from './control-types.js';
import { ServerControlConnection } from './server-control.js';
import { ThrottledLog } from './throttled-log.js';

/** Caps on what peers without an authenticated call may hold. */
export interface AdmissionLimits {
  /** Control connections that carry no authenticated call. */
  readonly connections: QuotaLimits;
  /** Calls between Outgoing-Call and authentication (a TUN device and a PPP session each). */
  readonly pendingCalls: QuotaLimits;
}

/**
 * Sized so that a whole office behind one NAT address dialling at once gets in within a redial or
 * two (the level 5 scenario: 50 clients of one router at the same moment), while one address can
 * hold at most a quarter of each pool. A pending call costs a TUN device and a PPP session for at
 * most the owner's deadline (ServerSide: 30 s); 128 of them are little even on a Pi. Connections
 * get more room than calls, for peers between connecting and placing their call.
 */
export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = {
  connections: { perAddress: 48, total: 192 },
  pendingCalls: { perAddress: 32, total: 128 },
};

/** What one pool holds now: per source address and in total, against its caps. */
export interface PoolHoldings {
  readonly limits: QuotaLimits;
  readonly total: number;
  readonly byAddress: readonly (readonly [address: string, held: number])[];
}

export interface PptpServerOptions {
  /** Address to listen on; default every address ('0.0.0.0'). */
  readonly host?: string;
  /** TCP port; default 1723. 0 picks a free port (tests). */
  readonly port?: number;
  readonly logger: Logger;
  /** Host Name in our Start-Control-Connection-Reply (the router's identity). */
  readonly hostName?: string;
  readonly vendor?: string;
  /** Share one table with the router's clients so GRE Call IDs never collide. */
  readonly callTable?: CallTable;
  /** Licence check at Outgoing-Call time; default admits every call. */
  readonly admit?: AdmissionHook;
  readonly timers?: Partial<ControlTimers>;
  /** Our GRE Packet Recv. Window Size; default 64. */
  readonly receiveWindow?: number;
  readonly limits?: Partial<AdmissionLimits>;
}

export interface ConnectionInfo {
  readonly id: number;
  readonly peer: PeerEndpoint;
  readonly local: PeerEndpoint;
}

export interface PptpServerEvents {
  /** A control connection finished its Start-Control-Connection exchange. */
  'connection-up': [connection: ConnectionInfo, peerHostName: string, peerVendor: string];
  /** A control connection ended; reason says why (stopped by peer, bad message, echo time-out ...). */
  'connection-down': [connection: ConnectionInfo, reason: string, error: boolean];
  'call-up': [call: CallInfo, connection: ConnectionInfo];
  'call-down': [call: CallInfo, reason: string, connection: ConnectionInfo];
  /** An Outgoing-Call-Request was refused (admission, no call ID). */
  'call-refused': [peerCallId: number, reason: string, connection: ConnectionInfo];
}

function endpoint(address: string | undefined, port: number | undefined): PeerEndpoint {
  return { address: (address ?? '').replace(/^::ffff:/, ''), port: port ?? 0 };
}

export class PptpServer extends EventEmitter<PptpServerEvents> {
  readonly callTable: CallTable;
  private server: Server | undefined;
  private admitHook: AdmissionHook | undefined;
  private nextId = 1;
  private readonly connections = new Map<number, { info: ConnectionInfo; control: ControlSocket; unauthenticated: () => void }>();
  private readonly callOwner = new Map<number, number>();
  private readonly unauthConnections: AddressQuota;
  private readonly pendingCalls: AddressQuota;
  /** Our call ID -> its place in the pending pool, until it authenticates or goes. */
  private readonly pending = new Map<number, () => void>();
  private readonly refusals: ThrottledLog;
  /** Pauses and resumptions of the listener: a flood can make them alternate at will. */
  private readonly pauses: ThrottledLog;
  private readonly resumptions: ThrottledLog;
  /** Not listening because the connection pool is full (pauseAccepting); stopped: close() was called. */
  private paused = false;
  private stopped = false;
  /** The port we listen on (the one bound, when the options asked for 0). */
  private port = 0;

  constructor(private readonly options: PptpServerOptions) {
    super();
    this.callTable = options.callTable ?? new CallTable();
    this.admitHook = options.admit;
    const limits = { ...DEFAULT_ADMISSION_LIMITS, ...options.limits };
    this.unauthConnections = new AddressQuota('control connections without an authenticated call', limits.connections);
    this.pendingCalls = new AddressQuota('calls waiting for authentication', limits.pendingCalls);
    this.refusals = new ThrottledLog((m) => options.logger.warning(m));
    this.pauses = new ThrottledLog((m) => options.logger.warning(m));
    this.resumptions = new ThrottledLog((m) => options.logger.info(m));
  }

  /** Connections and calls that have not authenticated yet (what the pools hold now). */
  get unauthenticated(): { connections: number; pendingCalls: number } {
    return { connections: this.unauthConnections.size, pendingCalls: this.pendingCalls.size };
  }

  /** Both pools in detail, for the console (/interface pptp-server pending). */
  holdings(): { connections: PoolHoldings; pendingCalls: PoolHoldings } {
    const of = (q: AddressQuota): PoolHoldings => ({ limits: q.limits, total: q.size, byAddress: q.holders() });
    return { connections: of(this.unauthConnections), pendingCalls: of(this.pendingCalls) };
  }

  /** How long a connection without a call is kept, counted from the TCP connection (server-control.ts). */
  get connectionTimeoutMs(): number {
    return this.options.timers?.noCallMs ?? DEFAULT_TIMERS.noCallMs;
  }

  /**
   * The call's user has authenticated: it leaves the pending pool, and its control connection no
   * longer counts against the connection caps.
   */
  authenticated(callId: number): void {
    this.pending.get(callId)?.();
    this.pending.delete(callId);
    const owner = this.callOwner.get(callId);
    if (owner !== undefined) this.connections.get(owner)?.unauthenticated();
  }

  /** Replace the admission hook (e.g. when the licence level changes). */
  setAdmission(hook: AdmissionHook | undefined): void {
    this.admitHook = hook;
  }

  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo> {
    if (this.server || this.paused) return Promise.reject(new Error('PPTP server is already listening'));
    this.stopped = false;
    return this.openListener(this.options.port ?? PPTP_TCP_PORT).then((address) => {
      this.options.logger.info(`PPTP server listening on ${address.address}:${address.port}`);
      return address;
    });
  }

  /** Whether new control connections are being accepted now (false while the pool is full). */
  get accepting(): boolean {
    return this.server !== undefined;
  }

  private openListener(port: number): Promise<AddressInfo> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err) => {
        if (this.server === server) this.server = undefined;
        reject(err);
      });
      server.listen(port, this.options.host ?? '0.0.0.0', () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.options.logger.error(`PPTP server: ${err.message}`));
        const address = server.address() as AddressInfo;
        this.port = address.port;
        resolve(address);
      });
    });
  }

  /**
   * The pool of connections without an authenticated call is full: nobody new can get in, so stop
   * listening until a place frees. Connection attempts meanwhile are refused by the kernel (a
   * reset) instead of each costing an accept, a socket object and a close on our thread: a flood
   * that keeps the pool full costs the router nothing beyond the pool. Open connections stay.
   */
  private pauseAccepting(): void {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.paused = true;
    server.close();
    this.pauses.say(`PPTP server: ${this.unauthConnections.size} control connections without an authenticated call (the most allowed); not accepting new ones until one goes`);
  }

  private resumeAccepting(): void {
    if (!this.paused || this.stopped || this.unauthConnections.size >= this.unauthConnections.limits.total) return;
    this.paused = false;
    this.openListener(this.port).then(
      () => this.resumptions.say('PPTP server: accepting control connections again'),
      (err: Error) => {
        // The port was taken meanwhile (another program): try again, the pool has room.
        this.options.logger.error(`PPTP server: cannot listen again on port ${this.port}: ${err.message}; retrying in 1 s`);
        this.paused = true;
        setTimeout(() => this.resumeAccepting(), 1000).unref();
      },
    );
  }

  /** Calls that are up, by our call ID. */
  get calls(): ReadonlyMap<number, CallInfo> {
    const all = new Map<number, CallInfo>();
    for (const c of this.connections.values()) for (const [id, call] of c.control.machine.activeCalls) all.set(id, call);
    return all;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Disconnects one call (Call-Disconnect-Notify), e.g. `/ppp active remove` or PPP ended. */
  clearCall(callId: number, result?: DisconnectResult): boolean {
    const owner = this.callOwner.get(callId);
    const c = owner === undefined ? undefined : this.connections.get(owner);
    if (!c) return false;
    c.control.dispatch({ kind: 'clear-call', callId, result });
    return true;
  }

  /**
   * Stops listening and ends every control connection with Stop-Control-Connection-Request
   * (reason Stop-Local-Shutdown); resolves when all sockets are closed.
   */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.stopped = true;
    this.paused = false;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    const ends = [...this.connections.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.control.socket.closed) return resolve();
          c.control.socket.once('close', () => resolve());
          c.control.dispatch({ kind: 'stop', reason: StopReason.StopLocalShutdown });
        }),
    );
    await Promise.all([closed, ...ends]);
  }

  /** The pending pool first (cheap, per address), then the owner's hook (the licence). */
  private admit(request: AdmissionRequest): Admission {
    const place = this.pendingCalls.take(request.peer.address);
    if (!place.ok) return { ok: false, reason: place.reason, resultCode: OutgoingCallResult.Busy };
    const admission = this.admitHook ? this.admitHook(request) : ({ ok: true } as const);
    if (!admission.ok) {
      place.release();
      return admission;
    }
    this.pending.set(request.callId, place.release);
    return {
      ok: true,
      release: () => {
        place.release();
        this.pending.delete(request.callId);
        admission.release?.();
      },
    };
  }

  private accept(socket: Socket): void {
    const id = this.nextId++;
    const info: ConnectionInfo = {
      id,
      peer: endpoint(socket.remoteAddress, socket.remotePort),
      local: endpoint(socket.localAddress, socket.localPort),
    };
    const log = this.options.logger;
    const place = this.unauthConnections.take(info.peer.address);
    if (!place.ok) {
      this.refusals.say(`control connection from ${info.peer.address}:${info.peer.port} refused: ${place.reason}`);
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    const release = (): void => {
      place.release();
      this.resumeAccepting();
    };
    if (this.unauthConnections.size >= this.unauthConnections.limits.total) this.pauseAccepting();
    const machine = new ServerControlConnection({
      peer: info.peer,
      local: info.local,
      calls: this.callTable,
      hostName: this.options.hostName,
      vendor: this.options.vendor,
      timers: this.options.timers,
      receiveWindow: this.options.receiveWindow,
      // Looked up on every request so setAdmission applies to connections already open.
      admit: (request) => this.admit(request),
    });
    const control = new ControlSocket(
      socket,
      machine,
      log,
      (action) => {
        switch (action.kind) {
          case 'connected':
            this.emit('connection-up', info, action.peerHostName, action.peerVendor);
            break;
          case 'call-up':
            this.callOwner.set(action.call.callId, id);
            this.emit('call-up', action.call, info);
            break;
          case 'call-down':
            this.callOwner.delete(action.call.callId);
            this.emit('call-down', action.call, action.reason, info);
            break;
          case 'call-failed':
            this.emit('call-refused', action.peerCallId, action.reason, info);
            break;
        }
      },
      (reason, error) => {
        this.connections.delete(id);
        release();
        log[error ? 'warning' : 'info'](`control connection with ${info.peer.address}:${info.peer.port} closed: ${reason}`);
        this.emit('connection-down', info, reason, error);
      },
    );
    this.connections.set(id, { info, control, unauthenticated: release });
    control.dispatch({ kind: 'start' });
  }
}
