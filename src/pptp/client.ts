// PptpClientConnection: dials a PPTP server (TCP 1723), runs a ClientControlConnection on the
// socket and offers promises for what the router does with it: connect, open a call, clear it,
// stop. It does not retry; the caller decides when to dial again, using the failure reason.

import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import type { Logger } from '../log.js';
import { PPTP_TCP_PORT, StopReason } from '../wire/pptp-codes.js';
import { CallTable } from './call-table.js';
import { ClientControlConnection } from './client-control.js';
import { ControlSocket } from './control-socket.js';
import type { CallInfo, ControlTimers, PeerEndpoint } from './control-types.js';

export interface PptpClientOptions {
  readonly host: string;
  readonly port?: number;
  /** Source address to dial from. */
  readonly localAddress?: string;
  /** Time allowed for the TCP connect plus the Start-Control-Connection exchange; default 10 s. */
  readonly connectTimeoutMs?: number;
  readonly logger: Logger;
  readonly hostName?: string;
  readonly vendor?: string;
  /** Share the router's table so GRE Call IDs never collide with other calls. */
  readonly callTable?: CallTable;
  readonly timers?: Partial<ControlTimers>;
  readonly receiveWindow?: number;
}

export interface PptpClientEvents {
  'call-up': [call: CallInfo];
  'call-down': [call: CallInfo, reason: string];
  /** The control connection ended (after connect succeeded or not). */
  closed: [reason: string, error: boolean];
}

/** A failure with the reason in words (shown as the client's status / logged). */
export class PptpError extends Error {
  override readonly name = 'PptpError';
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

export class PptpClientConnection extends EventEmitter<PptpClientEvents> {
  readonly callTable: CallTable;
  private control: ControlSocket | undefined;
  private connectWaiter: Waiter<{ peerHostName: string; peerVendor: string }> | undefined;
  private readonly callWaiters = new Map<number, Waiter<CallInfo>>();
  private readonly clearWaiters = new Map<number, Waiter<string>>();
  private pendingCall: number | undefined;
  private pendingFailure: string | undefined;
  private closedReason: string | undefined;
  private closedPromise: Promise<void> | undefined;
  private peer: PeerEndpoint | undefined;
  private local: PeerEndpoint | undefined;

  constructor(private readonly options: PptpClientOptions) {
    super();
    this.callTable = options.callTable ?? new CallTable();
  }

  get state(): string {
    return this.control?.machine.state ?? 'idle';
  }

  get calls(): ReadonlyMap<number, CallInfo> {
    return this.control?.machine.activeCalls ?? new Map();
  }

  /**
   * Dials the server and completes the Start-Control-Connection exchange. Rejects with a
   * PptpError whose message is the reason (refused by the server, time-out, TCP error).
   */
  connect(): Promise<{ peerHostName: string; peerVendor: string }> {
    if (this.control) return Promise.reject(new PptpError('already connected or connecting'));
    const port = this.options.port ?? PPTP_TCP_PORT;
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    const log = this.options.logger;
    return new Promise((resolve, reject) => {
      const socket: Socket = netConnect({ host: this.options.host, port, localAddress: this.options.localAddress });
      let settled = false;
      const timer = setTimeout(() => {
        fail(`no answer from ${this.options.host}:${port} within ${timeoutMs / 1000} s`);
        socket.destroy();
      }, timeoutMs);
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new PptpError(reason));
      };
      this.connectWaiter = {
        resolve: (v) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => fail(e.message),
      };
      socket.once('error', (err) => fail(`cannot connect to ${this.options.host}:${port}: ${err.message}`));
      socket.once('connect', () => {
        const peer: PeerEndpoint = { address: socket.remoteAddress ?? this.options.host, port: socket.remotePort ?? port };
        const local: PeerEndpoint = { address: socket.localAddress ?? '', port: socket.localPort ?? 0 };
        this.peer = peer;
        this.local = local;
        const machine = new ClientControlConnection({
          peer,
          local,
          calls: this.callTable,
          hostName: this.options.hostName,
          vendor: this.options.vendor,
          timers: { setupMs: timeoutMs, ...this.options.timers },
          receiveWindow: this.options.receiveWindow,
        });
        this.closedPromise = new Promise((done) => socket.once('close', () => done()));
        this.control = new ControlSocket(
          socket,
          machine,
          log,
          (action) => {
            switch (action.kind) {
              case 'connected':
                this.connectWaiter?.resolve({ peerHostName: action.peerHostName, peerVendor: action.peerVendor });
                this.connectWaiter = undefined;
                break;
              case 'call-pending':
                this.pendingCall = action.callId;
                break;
              case 'call-up':
                this.callWaiters.get(action.call.callId)?.resolve(action.call);
                this.callWaiters.delete(action.call.callId);
                this.emit('call-up', action.call);
                break;
              case 'call-failed':
                if (action.callId === 0) this.pendingFailure = action.reason;
                this.callWaiters.get(action.callId)?.reject(new PptpError(action.reason));
                this.callWaiters.delete(action.callId);
                break;
              case 'call-down':
                this.clearWaiters.get(action.call.callId)?.resolve(action.reason);
                this.clearWaiters.delete(action.call.callId);
                this.emit('call-down', action.call, action.reason);
                break;
            }
          },
          (reason, error) => {
            this.closedReason = reason;
            this.connectWaiter?.reject(new PptpError(reason));
            this.connectWaiter = undefined;
            for (const w of this.callWaiters.values()) w.reject(new PptpError(reason));
            this.callWaiters.clear();
            for (const w of this.clearWaiters.values()) w.resolve(reason);
            this.clearWaiters.clear();
            log[error ? 'warning' : 'info'](`control connection to ${peer.address}:${peer.port} closed: ${reason}`);
            this.emit('closed', reason, error);
          },
        );
        this.control.dispatch({ kind: 'start' });
      });
    });
  }

  /** Places a call (Outgoing-Call-Request); resolves when the server answers Connected. */
  openCall(): Promise<CallInfo> {
    try {
      return this.placeCall().answered;
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  /**
   * Places a call and says at once which call ID and peer its GRE will carry, before the server
   * answers: a data-plane session opened now catches the PPP frames a server sends right after
   * its Outgoing-Call-Reply. `local` is the address the control connection left from: GRE must
   * leave from it too, or the server takes it for another peer's. Throws when the call cannot be
   * placed.
   */
  placeCall(): { readonly callId: number; readonly peer: PeerEndpoint; readonly local: PeerEndpoint; readonly answered: Promise<CallInfo> } {
    const control = this.control;
    if (!control || control.machine.state === 'closed' || !this.peer || !this.local) throw new PptpError(this.closedReason ?? 'not connected');
    this.pendingCall = undefined;
    this.pendingFailure = undefined;
    control.dispatch({ kind: 'open-call' });
    const callId = this.pendingCall;
    if (callId === undefined) throw new PptpError(this.pendingFailure ?? 'call could not be placed');
    const answered = new Promise<CallInfo>((resolve, reject) => this.callWaiters.set(callId, { resolve, reject }));
    return { callId, peer: this.peer, local: this.local, answered };
  }

  /** Clears a call (Call-Clear-Request); resolves with the reason once it is down. */
  clearCall(callId: number): Promise<string> {
    const control = this.control;
    if (!control || !control.machine.activeCalls.has(callId)) return Promise.resolve('no such call');
    const done = new Promise<string>((resolve, reject) => this.clearWaiters.set(callId, { resolve, reject }));
    control.dispatch({ kind: 'clear-call', callId });
    return done;
  }

  /**
   * Clears every call and stops the control connection (Stop-Control-Connection-Request);
   * resolves when the socket is closed.
   */
  async stop(reason: StopReason = StopReason.None): Promise<void> {
    const control = this.control;
    if (!control) return;
    control.dispatch({ kind: 'stop', reason });
    await this.closedPromise;
  }
}
