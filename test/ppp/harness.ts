// Test support: a fake clock, a seeded random generator and two PPP sessions wired back to
// back through a transport that can lose, duplicate and reorder frames.

import type { Clock, ClockTimer } from '../../src/ppp/clock.js';
import type { Logger } from '../../src/log.js';
import { PppSession, type NetworkSettings, type PppClientOptions, type PppLinkUp, type PppServerOptions, type PppStatus } from '../../src/ppp/session.js';
import type { PppSecret } from '../../src/ppp/secrets.js';

export class FakeClock implements Clock {
  private t = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  now(): number { return this.t; }
  schedule(ms: number, fn: () => void): ClockTimer {
    const id = this.nextId++;
    this.pending.set(id, { at: this.t + ms, fn });
    return { id };
  }
  cancel(timer: ClockTimer): void { this.pending.delete(timer.id); }
  get timers(): number { return this.pending.size; }
  /** Runs due timers in time order until `ms` have passed (or `until` holds). */
  advance(ms: number, until?: () => boolean): void {
    const end = this.t + ms;
    for (;;) {
      if (until?.()) return;
      let best: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.pending) if (!best || e[1].at < best[1].at || (e[1].at === best[1].at && e[0] < best[0])) best = e;
      if (!best || best[1].at > end) break;
      this.pending.delete(best[0]);
      this.t = best[1].at;
      best[1].fn();
    }
    this.t = end;
  }
}

/** mulberry32: small, seeded, good enough to shuffle test traffic. */
export function seededRandom(seed: number): { next(): number; bytes(n: number): Buffer } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, bytes: (n) => Buffer.from(Array.from({ length: n }, () => (next() * 256) | 0)) };
}

export interface Impairment { loss: number; duplicate: number; reorder: number; rng: () => number }

export interface Side {
  session: PppSession;
  up: PppLinkUp | undefined;
  down: string | undefined;
  statuses: PppStatus[];
  sent: Array<{ protocol: number; information: Buffer }>;
  resets: number;
  /** BCP's bridging events (the bridge, or undefined when it closed) and the bridged frames delivered. */
  bridging: (string | undefined)[];
  bridged: Buffer[];
}

export type ServerConfig = Omit<PppServerOptions, 'clock' | 'events' | 'role'>;
export type ClientConfig = Omit<PppClientOptions, 'clock' | 'events' | 'role'>;

export function secret(name: string, password: string, extra: Partial<PppSecret> = {}): PppSecret {
  return { name, password, service: 'any', callerId: '', profile: 'default', disabled: false, ...extra };
}

/** A man in the middle: sees every frame one side sends, returns what the other side gets (undefined: dropped). */
export type Tamper = (from: 'server' | 'client', protocol: number, information: Buffer) => Buffer | undefined;

export function backToBack(server: ServerConfig, client: ClientConfig, opts: { clock?: FakeClock; impair?: Impairment; delayMs?: number; seed?: number; tamper?: Tamper } = {}) {
  const clock = opts.clock ?? new FakeClock();
  const rng = seededRandom(opts.seed ?? 1);
  const delay = opts.delayMs ?? 10;
  const sides: { server?: Side; client?: Side } = {};
  const deliver = (from: 'server' | 'client', to: () => Side, protocol: number, sent: Buffer): void => {
    const information = opts.tamper ? opts.tamper(from, protocol, sent) : sent;
    if (!information) return;
    const imp = opts.impair;
    const copies = imp && imp.rng() < imp.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (imp && imp.rng() < imp.loss) continue;
      const extra = imp && imp.rng() < imp.reorder ? delay * (1 + Math.floor(imp.rng() * 5)) : 0;
      clock.schedule(delay + extra, () => to().session.receive(protocol, information));
    }
  };
  const make = (role: 'server' | 'client', peer: () => Side): Side => {
    const side = { up: undefined, down: undefined, statuses: [], sent: [], resets: 0, bridging: [], bridged: [] } as unknown as Side;
    const events = {
      send: (protocol: number, information: Buffer) => {
        side.sent.push({ protocol, information });
        deliver(role, peer, protocol, information);
      },
      status: (s: PppStatus) => side.statuses.push(s),
      up: (l: PppLinkUp) => { side.up = l; },
      down: (r: string) => { side.down = r; },
      resetEncrypter: () => { side.resets++; },
      bridging: (b: string | undefined) => { side.bridging.push(b); },
      bridged: (information: Buffer) => { side.bridged.push(information); },
    };
    side.session = role === 'server'
      ? new PppSession({ ...server, role, clock, events, random: server.random ?? rng.bytes })
      : new PppSession({ ...client, role, clock, events, random: client.random ?? rng.bytes });
    return side;
  };
  sides.server = make('server', () => sides.client!);
  sides.client = make('client', () => sides.server!);
  const s = sides.server, c = sides.client;
  return {
    clock, server: s, client: c,
    start(): void { s.session.start(); c.session.start(); },
    /** Runs until both sides are up or one is down, at most `ms` of fake time. */
    settle(ms = 120_000): void {
      const done = (x: Side) => x.down !== undefined || x.up !== undefined;
      clock.advance(ms, () => (s.up !== undefined && c.up !== undefined) || (s.down !== undefined && c.down !== undefined)
        || (done(s) && done(c) && (s.down !== undefined || c.down !== undefined) && clock.timers === 0));
      clock.advance(500); // let the last frames land
    },
  };
}

/**
 * The user `ex`/`lkjrht` on an MS-CHAPv2 server and client, with the network settings the test
 * gives (use-encryption, addresses, key lengths): the two ends of the hostile-peer tests.
 */
export const ex = secret('ex', 'lkjrht');

export function exServer(net: Partial<NetworkSettings>, log?: Logger): ServerConfig {
  return {
    authentication: ['mschap2'],
    lookupSecret: (n) => (n === 'ex' ? ex : undefined),
    callerId: '198.18.0.2',
    authorize: () => ({ localAddress: '10.0.103.1', remoteAddress: '10.0.103.2', useEncryption: 'yes', ...net }),
    log,
  };
}

export function exClient(net: Partial<NetworkSettings>, log?: Logger): ClientConfig {
  return { user: 'ex', password: 'lkjrht', allow: ['mschap2'], network: { useEncryption: 'yes', ...net }, log };
}
