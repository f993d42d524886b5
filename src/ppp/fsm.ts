// The RFC 1661 option-negotiation automaton (section 4), written once and shared by LCP, IPCP
// and CCP. `transition` is the state table itself as a pure function; `Fsm` interprets its
// actions for one protocol with an OptionHandler (pppd's fsm.c callback table: resetci, addci,
// ackci, nakci, rejci, reqci) and returns what to do as data: packets to send, timer changes,
// layer up/down/started/finished. Timers and sockets live with the caller.

import { WireError } from '../wire/error.js';
import { emitPppOptions, parsePppOptions, type PppOption } from '../wire/ppp-packet.js';

export type FsmState =
  | 'initial' | 'starting' | 'closed' | 'stopped' | 'closing'
  | 'stopping' | 'req-sent' | 'ack-rcvd' | 'ack-sent' | 'opened';
export type FsmEvent =
  | 'up' | 'down' | 'open' | 'close' | 'to+' | 'to-' | 'rcr+' | 'rcr-'
  | 'rca' | 'rcn' | 'rtr' | 'rta' | 'ruc' | 'rxj+' | 'rxj-' | 'rxr';
export type FsmAction =
  | 'tlu' | 'tld' | 'tls' | 'tlf' | 'irc' | 'zrc' | 'scr' | 'sca' | 'scn' | 'str' | 'sta' | 'scj' | 'ser';

export const FSM_STATES: readonly FsmState[] = [
  'initial', 'starting', 'closed', 'stopped', 'closing', 'stopping', 'req-sent', 'ack-rcvd', 'ack-sent', 'opened',
];
export const FSM_EVENTS: readonly FsmEvent[] = [
  'up', 'down', 'open', 'close', 'to+', 'to-', 'rcr+', 'rcr-', 'rca', 'rcn', 'rtr', 'rta', 'ruc', 'rxj+', 'rxj-', 'rxr',
];

// RFC 1661 section 4.1, columns in FSM_STATES order. "-" is an event that cannot occur in that
// state; the r/p/x suffixes (restart option, passive option, crossed connection) are notes in the
// RFC and do not change the transition.
const TABLE: Readonly<Record<FsmEvent, readonly string[]>> = {
  'up':   ['2', 'irc,scr/6', '-', '-', '-', '-', '-', '-', '-', '-'],
  'down': ['-', '-', '0', 'tls/1', '0', '1', '1', '1', '1', 'tld/1'],
  'open': ['tls/1', '1', 'irc,scr/6', '3r', '5r', '5r', '6', '7', '8', '9r'],
  'close': ['0', 'tlf/0', '2', '2', '4', '4', 'irc,str/4', 'irc,str/4', 'irc,str/4', 'tld,irc,str/4'],
  'to+':  ['-', '-', '-', '-', 'str/4', 'str/5', 'scr/6', 'scr/6', 'scr/8', '-'],
  'to-':  ['-', '-', '-', '-', 'tlf/2', 'tlf/3', 'tlf/3p', 'tlf/3p', 'tlf/3p', '-'],
  'rcr+': ['-', '-', 'sta/2', 'irc,scr,sca/8', '4', '5', 'sca/8', 'sca,tlu/9', 'sca/8', 'tld,scr,sca/8'],
  'rcr-': ['-', '-', 'sta/2', 'irc,scr,scn/6', '4', '5', 'scn/6', 'scn/7', 'scn/6', 'tld,scr,scn/6'],
  'rca':  ['-', '-', 'sta/2', 'sta/3', '4', '5', 'irc/7', 'scr/6x', 'irc,tlu/9', 'tld,scr/6x'],
  'rcn':  ['-', '-', 'sta/2', 'sta/3', '4', '5', 'irc,scr/6', 'scr/6x', 'irc,scr/8', 'tld,scr/6x'],
  'rtr':  ['-', '-', 'sta/2', 'sta/3', 'sta/4', 'sta/5', 'sta/6', 'sta/6', 'sta/6', 'tld,zrc,sta/5'],
  'rta':  ['-', '-', '2', '3', 'tlf/2', 'tlf/3', '6', '6', '8', 'tld,scr/6'],
  'ruc':  ['-', '-', 'scj/2', 'scj/3', 'scj/4', 'scj/5', 'scj/6', 'scj/7', 'scj/8', 'scj/9'],
  'rxj+': ['-', '-', '2', '3', '4', '5', '6', '6', '8', '9'],
  'rxj-': ['-', '-', 'tlf/2', 'tlf/3', 'tlf/2', 'tlf/3', 'tlf/3', 'tlf/3', 'tlf/3', 'tld,irc,str/5'],
  'rxr':  ['-', '-', '2', '3', '4', '5', '6', '7', '8', 'ser/9'],
};

export interface Transition {
  readonly next: FsmState;
  readonly actions: readonly FsmAction[];
  /** The RFC marks this event as impossible in this state; the automaton ignores it. */
  readonly illegal: boolean;
}

const ACTIONS: ReadonlySet<string> = new Set<FsmAction>(['tlu', 'tld', 'tls', 'tlf', 'irc', 'zrc', 'scr', 'sca', 'scn', 'str', 'sta', 'scj', 'ser']);

// Every cell is checked when the module loads (as src/wire/pptp-control.ts checks its table): a
// misspelt action or a state number out of range throws here instead of silently doing nothing.
function parseCell(cell: string, state: FsmState, event: FsmEvent): Transition {
  if (cell === '-') return { next: state, actions: [], illegal: true };
  const m = /^(?:([a-z,]+)\/)?([0-9])[rpx]?$/.exec(cell);
  if (!m) throw new Error(`fsm table: ${state} + ${event}: malformed cell "${cell}"`);
  const next = FSM_STATES[Number.parseInt(m[2]!, 10)];
  if (next === undefined) throw new Error(`fsm table: ${state} + ${event}: no state ${m[2]}`);
  const actions = m[1] === undefined ? [] : m[1].split(',');
  for (const a of actions) if (!ACTIONS.has(a)) throw new Error(`fsm table: ${state} + ${event}: unknown action "${a}"`);
  return { next, actions: actions as FsmAction[], illegal: false };
}

/** Compiles a table laid out as TABLE is; throws on the first cell that does not make sense. */
export function compileTable(table: Readonly<Record<FsmEvent, readonly string[]>>): ReadonlyMap<string, Transition> {
  const compiled = new Map<string, Transition>();
  for (const event of FSM_EVENTS) {
    const row = table[event];
    if (row?.length !== FSM_STATES.length) throw new Error(`fsm table: event ${event} has ${row?.length ?? 0} cells, not ${FSM_STATES.length}`);
    FSM_STATES.forEach((state, i) => compiled.set(`${state}|${event}`, parseCell(row[i]!, state, event)));
  }
  return compiled;
}

const COMPILED = compileTable(TABLE);

/** RFC 1661 section 4.1 state transition table. */
export function transition(state: FsmState, event: FsmEvent): Transition {
  return COMPILED.get(`${state}|${event}`)!;
}

// ---------------------------------------------------------------------------------------------

export const CODE = {
  CONFIGURE_REQUEST: 1,
  CONFIGURE_ACK: 2,
  CONFIGURE_NAK: 3,
  CONFIGURE_REJECT: 4,
  TERMINATE_REQUEST: 5,
  TERMINATE_ACK: 6,
  CODE_REJECT: 7,
} as const;

export interface ConfigureReply {
  readonly kind: 'ack' | 'nak' | 'reject';
  /** For nak/reject: the options to send back. For ack the received options are echoed. */
  readonly options: readonly PppOption[];
}

/** One protocol's option logic (pppd's struct fsm_callbacks). */
export interface OptionHandler {
  /** Starts a fresh negotiation: our wishes go back to the configured ones. */
  resetci(): void;
  /** The options of our next Configure-Request. */
  addci(): PppOption[];
  /** The peer acknowledged our request (already checked to be byte-identical). */
  ackci(options: readonly PppOption[]): void;
  /** The peer Nak'ed: adjust our wishes. False if the Nak is bogus (it is then ignored). */
  nakci(options: readonly PppOption[]): boolean;
  /** The peer rejected options: stop asking for them. False if the Reject is bogus. */
  rejci(options: readonly PppOption[]): boolean;
  /** Judge the peer's request; the automaton turns Naks into Rejects after Max-Failure (section 4.6). */
  reqci(options: readonly PppOption[]): ConfigureReply;
}

export interface FsmConfig {
  readonly restartMs: number;
  readonly maxConfigure: number;
  readonly maxTerminate: number;
  readonly maxFailure: number;
}

export const DEFAULT_FSM_CONFIG: FsmConfig = { restartMs: 3000, maxConfigure: 10, maxTerminate: 2, maxFailure: 5 };

export type FsmOutput =
  | { readonly kind: 'send'; readonly code: number; readonly identifier: number; readonly data: Buffer }
  | { readonly kind: 'timer'; readonly ms: number | null } // (re)start, or stop when null
  | { readonly kind: 'this-layer-up' }
  | { readonly kind: 'this-layer-down' }
  | { readonly kind: 'this-layer-started' }
  | { readonly kind: 'this-layer-finished'; readonly reason: string }
  | { readonly kind: 'echo-reply-due'; readonly identifier: number; readonly data: Buffer }
  | { readonly kind: 'discarded'; readonly why: string };

interface Received {
  readonly identifier: number;
  readonly raw?: Buffer;
  readonly data?: Buffer;
  readonly reply?: ConfigureReply;
}

const NO_REQUEST = Buffer.alloc(0);

export class Fsm {
  state: FsmState = 'initial';
  private restartCount = 0;
  private failures = 0;
  private naksReceived = 0;
  private nextId = 0;
  private requestId = -1;
  private requestData: Buffer = NO_REQUEST;
  private requestAnswered = false;
  private timerRunning = false;
  private reason = '';

  constructor(
    readonly name: string,
    private readonly handler: OptionHandler,
    private readonly config: FsmConfig = DEFAULT_FSM_CONFIG,
  ) {}

  up(): FsmOutput[] { return this.run('up', { identifier: 0 }); }
  down(): FsmOutput[] { return this.run('down', { identifier: 0 }); }
  open(): FsmOutput[] { return this.run('open', { identifier: 0 }); }
  close(reason: string): FsmOutput[] {
    this.reason = reason;
    return this.run('close', { identifier: 0 });
  }
  timeout(): FsmOutput[] {
    if (!this.timerRunning) return [];
    this.timerRunning = false;
    if (this.restartCount <= 0 && this.reason === '') {
      this.reason = ['req-sent', 'ack-rcvd', 'ack-sent'].includes(this.state)
        ? `${this.name} negotiation timed out` : `${this.name} terminated`;
    }
    return this.run(this.restartCount > 0 ? 'to+' : 'to-', { identifier: 0 });
  }
  /** The peer Code-Rejected or Protocol-Rejected something; `fatal` when it cannot work without it. */
  rejected(fatal: boolean, reason: string): FsmOutput[] {
    if (fatal) this.reason = reason;
    return this.run(fatal ? 'rxj-' : 'rxj+', { identifier: 0 });
  }
  /** Echo-Request (`echo` true), Echo-Reply or Discard-Request received (LCP only). */
  receivedEcho(identifier: number, data: Buffer, echo: boolean): FsmOutput[] {
    const out = this.run('rxr', { identifier, data });
    return echo ? out : out.filter((o) => o.kind !== 'echo-reply-due');
  }
  /** A packet with a code this protocol does not know: Code-Reject it. */
  unknownCode(raw: Buffer): FsmOutput[] {
    return this.run('ruc', { identifier: 0, raw });
  }

  /** Codes 1..7 of RFC 1661 section 5; the caller handles the protocol's other codes. */
  receive(code: number, identifier: number, data: Buffer): FsmOutput[] {
    switch (code) {
      case CODE.CONFIGURE_REQUEST: {
        const options = parsePppOptions(data, `${this.name} Configure-Request`, 4);
        if (options instanceof WireError) return [{ kind: 'discarded', why: options.toString() }];
        if (this.state === 'initial' || this.state === 'starting') return [{ kind: 'discarded', why: 'layer not up' }];
        const reply = this.afterMaxFailure(options, this.handler.reqci(options));
        return this.run(reply.kind === 'ack' ? 'rcr+' : 'rcr-', { identifier, data, reply });
      }
      case CODE.CONFIGURE_ACK:
      case CODE.CONFIGURE_NAK:
      case CODE.CONFIGURE_REJECT: {
        const negotiating = ['req-sent', 'ack-rcvd', 'ack-sent', 'opened'].includes(this.state);
        if (negotiating && identifier !== this.requestId) return [{ kind: 'discarded', why: 'identifier does not match our request' }];
        // Only the first reply to a request counts (pppd's seen_ack): later ones are duplicates.
        if (negotiating && this.requestAnswered) return [{ kind: 'discarded', why: 'request already answered' }];
        const options = parsePppOptions(data, `${this.name} Configure-${code === 2 ? 'Ack' : code === 3 ? 'Nak' : 'Reject'}`, 4);
        if (options instanceof WireError) return [{ kind: 'discarded', why: options.toString() }];
        if (code === CODE.CONFIGURE_ACK) {
          if (negotiating) {
            if (!data.equals(this.requestData)) return [{ kind: 'discarded', why: 'Configure-Ack does not match our request' }];
            this.requestAnswered = true;
            this.handler.ackci(options);
          }
          return this.run('rca', { identifier });
        }
        if (negotiating) {
          const ok = code === CODE.CONFIGURE_NAK ? this.handler.nakci(options) : this.handler.rejci(options);
          if (!ok) return [{ kind: 'discarded', why: `bogus Configure-${code === 3 ? 'Nak' : 'Reject'}` }];
          this.requestAnswered = true;
          // A peer that keeps Nak-ing what we cannot change (an authenticator's own address)
          // would loop forever: RFC 1661 4.6 bounds our Naks with Max-Failure, and we bound
          // theirs with the same counter limit, then give up on the negotiation.
          if (code === CODE.CONFIGURE_NAK && ++this.naksReceived > this.config.maxFailure) {
            this.reason = `${this.name} negotiation did not converge`;
            return this.run('close', { identifier });
          }
        }
        return this.run('rcn', { identifier });
      }
      case CODE.TERMINATE_REQUEST:
        if (this.state === 'opened') this.reason = `${this.name} terminated by peer`;
        return this.run('rtr', { identifier, data });
      case CODE.TERMINATE_ACK:
        return this.run('rta', { identifier });
      case CODE.CODE_REJECT: {
        // A rejected code 1..7 is catastrophic (RFC 1661 section 5.6); anything else we can live without.
        const rejected = data.length > 0 ? data[0]! : 0;
        const fatal = rejected >= 1 && rejected <= 7;
        return this.rejected(fatal, `${this.name}: peer rejected code ${rejected}`);
      }
      default:
        return [{ kind: 'discarded', why: `code ${code} is not an automaton code` }];
    }
  }

  /**
   * RFC 1661 section 4.6, in one place for every protocol: after Max-Failure Naks in a row the
   * options we would Nak are Configure-Rejected instead. A Nak that only suggests options the
   * peer did not ask for has nothing to reject, so the request is acknowledged.
   */
  private afterMaxFailure(options: readonly PppOption[], reply: ConfigureReply): ConfigureReply {
    if (reply.kind !== 'nak' || this.failures < this.config.maxFailure) return reply;
    const nakTypes = new Set(reply.options.map((o) => o.type));
    const rejects = options.filter((o) => nakTypes.has(o.type));
    return rejects.length > 0 ? { kind: 'reject', options: rejects } : { kind: 'ack', options: [] };
  }

  private run(event: FsmEvent, rx: Received): FsmOutput[] {
    const from = this.state;
    const t = transition(from, event);
    if (t.illegal) return [{ kind: 'discarded', why: `${event} in state ${from}` }];
    const out: FsmOutput[] = [];
    for (const action of t.actions) this.act(action, from, t.next, event, rx, out);
    this.state = t.next;
    // Opened means our request was answered: a later Ack is discarded before it is compared,
    // and the next request (scr) makes its own. An idle link need not keep the old one.
    if (t.next === 'opened') this.requestData = NO_REQUEST;
    const timed = ['closing', 'stopping', 'req-sent', 'ack-rcvd', 'ack-sent'].includes(t.next);
    if (!timed && this.timerRunning) {
      this.timerRunning = false;
      out.push({ kind: 'timer', ms: null });
    }
    return out;
  }

  private startTimer(out: FsmOutput[]): void {
    this.timerRunning = true;
    out.push({ kind: 'timer', ms: this.config.restartMs });
  }

  private act(action: FsmAction, from: FsmState, to: FsmState, event: FsmEvent, rx: Received, out: FsmOutput[]): void {
    switch (action) {
      case 'tlu':
        this.reason = '';
        out.push({ kind: 'this-layer-up' });
        return;
      case 'tld':
        // Renegotiation from Opened: RFC 1661's table sends scr without irc here; pppd (and we)
        // give the new negotiation a full restart counter.
        this.restartCount = this.config.maxConfigure;
        this.failures = 0;
        this.naksReceived = 0;
        out.push({ kind: 'this-layer-down' });
        return;
      case 'tls':
        out.push({ kind: 'this-layer-started' });
        return;
      case 'tlf':
        out.push({ kind: 'this-layer-finished', reason: this.reason || `${this.name} finished` });
        return;
      case 'irc':
        this.restartCount = to === 'closing' || to === 'stopping' ? this.config.maxTerminate : this.config.maxConfigure;
        if (to !== 'closing' && to !== 'stopping' && event !== 'rcn') {
          this.failures = 0;
          this.naksReceived = 0;
        }
        return;
      case 'zrc':
        this.restartCount = 0;
        this.startTimer(out);
        return;
      case 'scr': {
        if (event !== 'to+') {
          if (!['req-sent', 'ack-rcvd', 'ack-sent'].includes(from)) this.handler.resetci();
          this.requestId = this.nextId;
          this.nextId = (this.nextId + 1) & 0xff;
        }
        this.requestAnswered = false;
        this.requestData = emitPppOptions(this.handler.addci());
        this.restartCount--;
        out.push({ kind: 'send', code: CODE.CONFIGURE_REQUEST, identifier: this.requestId, data: this.requestData });
        this.startTimer(out);
        return;
      }
      case 'sca':
        this.failures = 0; // pppd's nakloops: only Naks in a row count towards Max-Failure
        out.push({ kind: 'send', code: CODE.CONFIGURE_ACK, identifier: rx.identifier, data: rx.data ?? Buffer.alloc(0) });
        return;
      case 'scn': {
        const reply = rx.reply!;
        if (reply.kind === 'nak') this.failures++;
        out.push({
          kind: 'send',
          code: reply.kind === 'nak' ? CODE.CONFIGURE_NAK : CODE.CONFIGURE_REJECT,
          identifier: rx.identifier,
          data: emitPppOptions(reply.options),
        });
        return;
      }
      case 'str': {
        const id = this.nextId;
        this.nextId = (this.nextId + 1) & 0xff;
        this.restartCount--;
        out.push({ kind: 'send', code: CODE.TERMINATE_REQUEST, identifier: id, data: Buffer.from(this.reason) });
        this.startTimer(out);
        return;
      }
      case 'sta':
        out.push({ kind: 'send', code: CODE.TERMINATE_ACK, identifier: rx.identifier, data: Buffer.alloc(0) });
        return;
      case 'scj': {
        const id = this.nextId;
        this.nextId = (this.nextId + 1) & 0xff;
        out.push({ kind: 'send', code: CODE.CODE_REJECT, identifier: id, data: rx.raw ?? Buffer.alloc(0) });
        return;
      }
      case 'ser':
        out.push({ kind: 'echo-reply-due', identifier: rx.identifier, data: rx.data ?? Buffer.alloc(0) });
        return;
    }
  }
}
