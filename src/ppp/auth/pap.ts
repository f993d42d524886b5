// PAP (RFC 1334 section 2), both roles. The password travels in clear; it is here because the
// RouterOS `allow`/`authentication` sets include it.

import { WireError } from '../../wire/error.js';
import { emitPppPacket, parsePppPacket } from '../../wire/ppp-packet.js';
import { refusal, type CallContext, type PppSecret } from '../secrets.js';
import type { Authenticator, AuthOutput, AuthTiming, RemoteVerdict } from './outcome.js';

export const PAP_CODE = { AUTHENTICATE_REQUEST: 1, AUTHENTICATE_ACK: 2, AUTHENTICATE_NAK: 3 } as const;

export interface PapRequest { readonly peerId: string; readonly password: string }

export function parsePapRequest(data: Buffer): PapRequest | WireError {
  if (data.length < 1) return new WireError('PAP Authenticate-Request', 'Peer-ID Length', 4, 'missing');
  const idLen = data[0]!;
  if (data.length < 1 + idLen + 1) return new WireError('PAP Authenticate-Request', 'Peer-ID', 5, 'truncated');
  const pwLen = data[1 + idLen]!;
  if (data.length < 2 + idLen + pwLen) return new WireError('PAP Authenticate-Request', 'Password', 6 + idLen, 'truncated');
  return {
    peerId: data.subarray(1, 1 + idLen).toString('utf8'),
    password: data.subarray(2 + idLen, 2 + idLen + pwLen).toString('utf8'),
  };
}

export function emitPapRequest(req: PapRequest): Buffer {
  const id = Buffer.from(req.peerId, 'utf8').subarray(0, 255);
  const pw = Buffer.from(req.password, 'utf8').subarray(0, 255);
  return Buffer.concat([Buffer.from([id.length]), id, Buffer.from([pw.length]), pw]);
}

function message(text: string): Buffer {
  const m = Buffer.from(text, 'utf8').subarray(0, 255);
  return Buffer.concat([Buffer.from([m.length]), m]);
}

export class PapAuthenticator implements Authenticator {
  private done: { id: number; reply: Buffer } | undefined;
  private busy = false;

  constructor(private readonly timing: AuthTiming, private readonly context: CallContext) {}

  start(): AuthOutput[] {
    // The peer speaks first; we only wait (RFC 1334 2.1), for as long as a CHAP authenticator would retry.
    return [{ kind: 'timer', ms: this.timing.restartMs * this.timing.maxTries }];
  }

  timeout(): AuthOutput[] {
    return this.done ? [] : [{ kind: 'failure', reason: 'peer did not authenticate' }];
  }

  receive(packet: Buffer): AuthOutput[] {
    const p = parsePppPacket(packet, 'PAP packet');
    if (p instanceof WireError) return [{ kind: 'discarded', why: p.toString() }];
    if (p.code !== PAP_CODE.AUTHENTICATE_REQUEST) return [{ kind: 'discarded', why: `PAP code ${p.code} to an authenticator` }];
    if (this.done) {
      // A retransmitted request: our reply was lost (RFC 1334 2.2.1 lets us repeat it).
      return this.done.id === p.identifier ? [{ kind: 'send', data: this.done.reply }] : [];
    }
    if (this.busy) return [];
    const req = parsePapRequest(p.data);
    if (req instanceof WireError) return [{ kind: 'discarded', why: req.toString() }];
    this.busy = true;
    const conclude = (why: string | undefined, secret: PppSecret | undefined): AuthOutput[] => {
      this.busy = false;
      const ok = why === undefined;
      const reply = emitPppPacket({
        code: ok ? PAP_CODE.AUTHENTICATE_ACK : PAP_CODE.AUTHENTICATE_NAK,
        identifier: p.identifier,
        data: message(ok ? 'Login ok' : 'Authentication failed'),
      });
      this.done = { id: p.identifier, reply };
      const result: AuthOutput = ok
        ? { kind: 'success', method: 'pap', user: req.peerId, secret, keys: undefined }
        : { kind: 'failure', reason: why, user: req.peerId };
      return [{ kind: 'timer', ms: null }, { kind: 'send', data: reply }, result];
    };
    return [{
      kind: 'verify',
      name: req.peerId,
      check: (secret: PppSecret | undefined): AuthOutput[] =>
        conclude(refusal(secret, this.context) ?? (secret!.password === req.password ? undefined : 'wrong password'), secret),
      credential: { method: 'pap', password: req.password },
      checkRemote: (v: RemoteVerdict): AuthOutput[] => (v.ok ? conclude(undefined, v.secret) : conclude(v.reason, undefined)),
    }];
  }
}

export class PapPeer implements Authenticator {
  private id = 0;
  private tries = 0;
  private finished = false;

  constructor(
    private readonly timing: AuthTiming,
    private readonly user: string,
    private readonly password: string,
    private readonly random: (n: number) => Buffer,
  ) {}

  private send(): AuthOutput[] {
    this.tries++;
    return [
      { kind: 'send', data: emitPppPacket({ code: PAP_CODE.AUTHENTICATE_REQUEST, identifier: this.id, data: emitPapRequest({ peerId: this.user, password: this.password }) }) },
      { kind: 'timer', ms: this.timing.restartMs },
    ];
  }

  start(): AuthOutput[] {
    this.id = this.random(1)[0]!;
    return this.send();
  }

  timeout(): AuthOutput[] {
    if (this.finished) return [];
    if (this.tries >= this.timing.maxTries) return [{ kind: 'failure', reason: 'no response to PAP request' }];
    return this.send();
  }

  receive(packet: Buffer): AuthOutput[] {
    const p = parsePppPacket(packet, 'PAP packet');
    if (p instanceof WireError) return [{ kind: 'discarded', why: p.toString() }];
    if (this.finished || p.identifier !== this.id) return [{ kind: 'discarded', why: 'stale PAP reply' }];
    if (p.code === PAP_CODE.AUTHENTICATE_ACK) {
      this.finished = true;
      return [{ kind: 'timer', ms: null }, { kind: 'success', method: 'pap', user: this.user, secret: undefined, keys: undefined }];
    }
    if (p.code === PAP_CODE.AUTHENTICATE_NAK) {
      this.finished = true;
      return [{ kind: 'timer', ms: null }, { kind: 'failure', reason: 'authentication failed' }];
    }
    return [{ kind: 'discarded', why: `PAP code ${p.code} to a peer` }];
  }
}
