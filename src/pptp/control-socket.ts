// Runs a control-connection machine on a real TCP socket: cuts messages out of the byte stream
// (readControlMessage), turns timer actions into setTimeout, writes messages, logs, and closes
// the socket when the machine says so. Everything it does not do itself (call-up, call-down,
// connected, ...) goes to the owner's onAction.

import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import { WireError } from '../wire/error.js';
import { emitControlMessage, controlMessageName } from '../wire/pptp-control.js';
import { readControlMessage } from '../wire/pptp-stream.js';
import type { ControlAction, ControlEvent, ControlMachine, TimerId } from './control-types.js';

/** Time given to a closing socket to flush what was written before it is destroyed. */
const CLOSE_LINGER_MS = 2000;
/**
 * Output we queue for a peer that does not read. A control channel carries messages of at most a
 * few hundred bytes, and a well-behaved peer reads them as they come; a peer that lets this much
 * pile up (e.g. sending Echo-Requests without reading the replies) is cut off, so its memory cost
 * on the router stays bounded.
 */
export const MAX_UNSENT_BYTES = 64 * 1024;

const NOTHING = Buffer.alloc(0);

export class ControlSocket {
  private buffer: Buffer = NOTHING;
  private readonly timers = new Map<TimerId, NodeJS.Timeout>();
  private closing = false;
  private closeReason: { reason: string; error: boolean } | undefined;

  constructor(
    readonly socket: Socket,
    readonly machine: ControlMachine,
    private readonly log: Logger,
    private readonly onAction: (action: ControlAction) => void,
    private readonly onClosed: (reason: string, error: boolean) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.log.debug(`control socket error: ${err.message}`);
      this.closeReason ??= { reason: `connection error: ${err.message}`, error: true };
    });
    socket.on('close', () => {
      if (this.machine.state !== 'closed') this.dispatch({ kind: 'peer-closed', reason: this.closeReason?.reason });
      this.clearTimers();
      const r = this.closeReason ?? { reason: 'control connection closed by peer', error: true };
      this.onClosed(r.reason, r.error);
    });
  }

  dispatch(event: ControlEvent): void {
    const actions = this.machine.handle(event);
    for (const action of actions) this.run(action);
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (!this.closing) {
      const r = readControlMessage(this.buffer);
      if (r instanceof WireError) {
        this.buffer = NOTHING;
        this.dispatch({ kind: 'wire-error', error: r });
        return;
      }
      if (r.kind === 'need-more') return;
      // An empty view of the last read would keep that read's memory for as long as the
      // connection idles.
      this.buffer = r.consumed === this.buffer.length ? NOTHING : this.buffer.subarray(r.consumed);
      this.log.debug(`received ${controlMessageName(r.message.type)}`);
      this.dispatch({ kind: 'message', message: r.message });
    }
  }

  private run(action: ControlAction): void {
    switch (action.kind) {
      case 'send':
        if (!this.socket.destroyed && this.socket.writable) {
          this.log.debug(`sending ${controlMessageName(action.message.type)}`);
          this.socket.write(emitControlMessage(action.message));
          if (this.socket.writableLength > MAX_UNSENT_BYTES) this.abandon();
        }
        return;
      case 'start-timer': {
        const old = this.timers.get(action.timer);
        if (old) clearTimeout(old);
        const timer = action.timer;
        const handle = setTimeout(() => {
          this.timers.delete(timer);
          this.dispatch({ kind: 'timer', timer });
        }, action.ms);
        handle.unref?.();
        this.timers.set(timer, handle);
        return;
      }
      case 'stop-timer': {
        const old = this.timers.get(action.timer);
        if (old) clearTimeout(old);
        this.timers.delete(action.timer);
        return;
      }
      case 'log':
        this.log[action.level](action.message);
        return;
      case 'close':
        this.closing = true;
        this.closeReason ??= { reason: action.reason, error: action.error };
        this.clearTimers();
        this.onAction(action);
        if (!this.socket.destroyed) {
          this.socket.end();
          setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS).unref();
        }
        return;
      default:
        this.onAction(action);
    }
  }

  /** The peer does not read what we send: drop the connection now, nothing more is queued. */
  private abandon(): void {
    const reason = `peer does not read: more than ${MAX_UNSENT_BYTES / 1024} KiB of unsent output`;
    this.log.warning(`control connection with ${this.socket.remoteAddress?.replace(/^::ffff:/, '')}:${this.socket.remotePort}: ${reason}, closing`);
    this.closing = true;
    this.closeReason ??= { reason, error: true };
    // destroy(), not end(): end() would wait for the queued output the peer never reads.
    this.socket.destroy();
  }

  private clearTimers(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
