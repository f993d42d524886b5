// CHAP (RFC 1994 section 4), both roles, for every algorithm LCP can name: MD5 (here),
// MS-CHAPv1 (mschap1.ts) and MS-CHAPv2 (mschap2.ts). The exchange is the same for all three;
// what differs (challenge size, response value, Success/Failure messages, key material) is a
// ChapAlgorithm.

import { WireError } from '../../wire/error.js';
import { emitPppPacket, parsePppPacket } from '../../wire/ppp-packet.js';
import { chapMd5Response } from '../../crypto/chap-md5.js';
import { timingSafeEqual } from 'node:crypto';
import { refusal, withoutDomain, type CallContext, type PppSecret } from '../secrets.js';
import type { AuthMethod } from './method.js';
import type { Authenticator, AuthOutput, AuthTiming, KeyMaterial, RemoteVerdict } from './outcome.js';

export const CHAP_CODE = { CHALLENGE: 1, RESPONSE: 2, SUCCESS: 3, FAILURE: 4 } as const;

export interface ChapValue { readonly value: Buffer; readonly name: string }

/** Challenge and Response share the Value-Size/Value/Name layout (RFC 1994 4.1). */
export function parseChapValue(data: Buffer, message: string): ChapValue | WireError {
  if (data.length < 1) return new WireError(message, 'Value-Size', 4, 'missing');
  const size = data[0]!;
  if (size === 0) return new WireError(message, 'Value-Size', 4, 'zero');
  if (data.length < 1 + size) return new WireError(message, 'Value', 5, `Value-Size ${size} runs past the packet`);
  return { value: Buffer.from(data.subarray(1, 1 + size)), name: data.subarray(1 + size).toString('utf8') };
}

export function emitChapValue(v: ChapValue): Buffer {
  return Buffer.concat([Buffer.from([v.value.length]), v.value, Buffer.from(v.name, 'utf8')]);
}

export interface ChapVerdict {
  readonly ok: boolean;
  readonly message: string; // the Success or Failure message text
  readonly keys: KeyMaterial | undefined;
  readonly reason?: string;
}

export interface ChapPeerResponse {
  readonly value: Buffer;
  /** Checks the authenticator's Success message (MS-CHAPv2 mutual authentication). */
  readonly acceptSuccess: (message: string) => boolean;
  readonly keys: KeyMaterial | undefined;
}

export interface ChapAlgorithm {
  readonly method: AuthMethod;
  readonly challengeLength: number;
  /** Authenticator: is `response` right for this user's password? */
  verify(identifier: number, challenge: Buffer, response: Buffer, name: string, password: string): ChapVerdict;
  /** Peer: the Response value for a Challenge. */
  respond(identifier: number, challenge: Buffer, name: string, password: string, random: (n: number) => Buffer): ChapPeerResponse | string;
  /** Failure message when the user cannot log in at all (unknown, disabled, ...). */
  failureMessage(challenge: Buffer): string;
}

export const chapMd5: ChapAlgorithm = {
  method: 'chap',
  challengeLength: 16,
  verify(identifier, challenge, response, _name, password) {
    const expected = chapMd5Response(identifier, password, challenge);
    const ok = response.length === expected.length && timingSafeEqual(response, expected);
    return { ok, message: ok ? 'Welcome' : 'Authentication failed', keys: undefined, reason: ok ? undefined : 'wrong password' };
  },
  respond(identifier, challenge, _name, password) {
    return { value: chapMd5Response(identifier, password, challenge), acceptSuccess: () => true, keys: undefined };
  },
  failureMessage: () => 'Authentication failed',
};

export class ChapAuthenticator implements Authenticator {
  private id = 0;
  private challenge: Buffer = Buffer.alloc(0);
  private tries = 0;
  private done: { reply: Buffer } | undefined;
  private busy = false;

  constructor(
    private readonly algorithm: ChapAlgorithm,
    private readonly timing: AuthTiming,
    private readonly context: CallContext,
    private readonly localName: string,
    private readonly random: (n: number) => Buffer,
  ) {}

  private sendChallenge(): AuthOutput[] {
    this.tries++;
    return [
      { kind: 'send', data: emitPppPacket({ code: CHAP_CODE.CHALLENGE, identifier: this.id, data: emitChapValue({ value: this.challenge, name: this.localName }) }) },
      { kind: 'timer', ms: this.timing.restartMs },
    ];
  }

  start(): AuthOutput[] {
    this.id = this.random(1)[0]!;
    this.challenge = this.random(this.algorithm.challengeLength);
    return this.sendChallenge();
  }

  timeout(): AuthOutput[] {
    if (this.done || this.busy) return [];
    if (this.tries >= this.timing.maxTries) return [{ kind: 'failure', reason: 'peer did not answer the challenge' }];
    return this.sendChallenge();
  }

  receive(packet: Buffer): AuthOutput[] {
    const p = parsePppPacket(packet, 'CHAP packet');
    if (p instanceof WireError) return [{ kind: 'discarded', why: p.toString() }];
    if (p.code !== CHAP_CODE.RESPONSE) return [{ kind: 'discarded', why: `CHAP code ${p.code} to an authenticator` }];
    if (p.identifier !== this.id) return [{ kind: 'discarded', why: 'CHAP Response to another challenge' }];
    // RFC 1994 4.2: a Response repeated after our verdict gets the same verdict again.
    if (this.done) return [{ kind: 'send', data: this.done.reply }];
    if (this.busy) return [];
    const response = parseChapValue(p.data, 'CHAP Response');
    if (response instanceof WireError) return [{ kind: 'discarded', why: response.toString() }];
    this.busy = true;
    const conclude = (verdict: ChapVerdict, secret: PppSecret | undefined): AuthOutput[] => {
      this.busy = false;
      const reply = emitPppPacket({ code: verdict.ok ? CHAP_CODE.SUCCESS : CHAP_CODE.FAILURE, identifier: p.identifier, data: Buffer.from(verdict.message, 'utf8') });
      this.done = { reply };
      const result: AuthOutput = verdict.ok
        ? { kind: 'success', method: this.algorithm.method, user: response.name, secret, keys: verdict.keys }
        : { kind: 'failure', reason: verdict.reason ?? 'wrong password', user: response.name };
      return [{ kind: 'send', data: reply }, result];
    };
    return [{ kind: 'timer', ms: null }, {
      kind: 'verify',
      name: response.name,
      check: (secret: PppSecret | undefined): AuthOutput[] => {
        const refused = refusal(secret, this.context);
        let verdict: ChapVerdict;
        if (refused !== undefined) {
          verdict = { ok: false, message: this.algorithm.failureMessage(this.challenge), keys: undefined, reason: refused };
        } else {
          try {
            verdict = this.algorithm.verify(p.identifier, this.challenge, response.value, response.name, secret!.password);
          } catch (e) {
            verdict = { ok: false, message: this.algorithm.failureMessage(this.challenge), keys: undefined, reason: `bad response (${(e as Error).message})` };
          }
        }
        return conclude(verdict, secret);
      },
      credential: { method: this.algorithm.method as 'chap' | 'mschap1' | 'mschap2', identifier: p.identifier, challenge: this.challenge, response: response.value },
      // MS-CHAPv1 sends an empty Success; MD5 CHAP has no message of its own from RADIUS.
      checkRemote: (v: RemoteVerdict): AuthOutput[] => conclude(v.ok
        ? { ok: true, message: v.message ?? (this.algorithm.method === 'mschap1' ? '' : 'Welcome'), keys: v.keys }
        : { ok: false, message: v.message ?? this.algorithm.failureMessage(this.challenge), keys: undefined, reason: v.reason }, v.ok ? v.secret : undefined),
    }];
  }
}

export class ChapPeer implements Authenticator {
  private last: { id: number; packet: Buffer; response: ChapPeerResponse } | undefined;
  private finished = false;
  private waited = 0;

  constructor(
    private readonly algorithm: ChapAlgorithm,
    private readonly timing: AuthTiming,
    private readonly user: string,
    private readonly password: string,
    private readonly random: (n: number) => Buffer,
  ) {}

  start(): AuthOutput[] {
    // The authenticator speaks first; give it as long as it would retry for.
    return [{ kind: 'timer', ms: this.timing.restartMs * (this.timing.maxTries + 1) }];
  }

  timeout(): AuthOutput[] {
    if (this.finished) return [];
    // A lost Success/Failure would leave us waiting forever (RFC 1994 lets only the
    // authenticator retransmit): repeat our Response; the authenticator repeats its verdict.
    if (this.last && ++this.waited < this.timing.maxTries) {
      return [{ kind: 'send', data: this.last.packet }, { kind: 'timer', ms: this.timing.restartMs }];
    }
    return [{ kind: 'failure', reason: 'authenticator did not complete CHAP' }];
  }

  receive(packet: Buffer): AuthOutput[] {
    const p = parsePppPacket(packet, 'CHAP packet');
    if (p instanceof WireError) return [{ kind: 'discarded', why: p.toString() }];
    switch (p.code) {
      case CHAP_CODE.CHALLENGE: {
        if (this.last && this.last.id === p.identifier && !this.finished) return [{ kind: 'send', data: this.last.packet }];
        const challenge = parseChapValue(p.data, 'CHAP Challenge');
        if (challenge instanceof WireError) return [{ kind: 'discarded', why: challenge.toString() }];
        if (this.finished) return [{ kind: 'discarded', why: 're-challenge after authentication is not supported' }];
        const response = this.algorithm.respond(p.identifier, challenge.value, this.user, this.password, this.random);
        if (typeof response === 'string') return [{ kind: 'discarded', why: response }];
        const out = emitPppPacket({ code: CHAP_CODE.RESPONSE, identifier: p.identifier, data: emitChapValue({ value: response.value, name: this.user }) });
        this.last = { id: p.identifier, packet: out, response };
        this.waited = 0;
        return [{ kind: 'send', data: out }, { kind: 'timer', ms: this.timing.restartMs }];
      }
      case CHAP_CODE.SUCCESS: {
        if (!this.last || p.identifier !== this.last.id) return [{ kind: 'discarded', why: 'CHAP Success for no response of ours' }];
        if (this.finished) return [];
        this.finished = true;
        if (!this.last.response.acceptSuccess(p.data.toString('utf8'))) {
          return [{ kind: 'timer', ms: null }, { kind: 'failure', reason: 'authenticator response mismatch: server does not know the password' }];
        }
        return [{ kind: 'timer', ms: null }, { kind: 'success', method: this.algorithm.method, user: this.user, secret: undefined, keys: this.last.response.keys }];
      }
      case CHAP_CODE.FAILURE:
        if (!this.last || p.identifier !== this.last.id || this.finished) return [{ kind: 'discarded', why: 'CHAP Failure for no response of ours' }];
        this.finished = true;
        return [{ kind: 'timer', ms: null }, { kind: 'failure', reason: 'authentication failed' }];
      default:
        return [{ kind: 'discarded', why: `CHAP code ${p.code} to a peer` }];
    }
  }
}

export { withoutDomain };
