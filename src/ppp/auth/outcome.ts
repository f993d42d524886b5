// What an authentication exchange (PAP or a CHAP variant, either role) tells the session.

import type { PppSecret } from '../secrets.js';
import type { AuthMethod } from './method.js';

/** What MPPE start keys are derived from (RFC 3079 sections 2 and 3). */
export type KeyMaterial =
  | { readonly kind: 'mschap2'; readonly password: string; readonly ntResponse: Buffer }
  | { readonly kind: 'mschap1'; readonly password: string; readonly challenge: Buffer }
  /** 128-bit start keys as this end uses them, handed over by a RADIUS server (RFC 2548 2.4). */
  | { readonly kind: 'start-keys'; readonly send: Buffer; readonly receive: Buffer };

/**
 * What the peer proved, for a verifier that holds the password elsewhere (a RADIUS server):
 * PAP's password, or a CHAP variant's identifier, challenge and Response value as received.
 */
export type Credential =
  | { readonly method: 'pap'; readonly password: string }
  | { readonly method: 'chap' | 'mschap1' | 'mschap2'; readonly identifier: number; readonly challenge: Buffer; readonly response: Buffer };

/**
 * A remote verifier's answer. `message`: the Success text to relay (MS-CHAP2-Success) or the
 * Failure text (MS-CHAP-Error); `secret`: the user as the verifier describes it (addresses,
 * routes, limits).
 */
export type RemoteVerdict =
  | { readonly ok: true; readonly message?: string; readonly keys: KeyMaterial | undefined; readonly secret: PppSecret }
  | { readonly ok: false; readonly reason: string; readonly message?: string };

export type AuthOutput =
  | { readonly kind: 'send'; readonly data: Buffer }
  | { readonly kind: 'timer'; readonly ms: number | null }
  /**
   * Authenticator: look the user up (maybe asynchronously), then call `check` with the secret;
   * or, for a user the local table does not hold, hand `credential` to a remote verifier and
   * call `checkRemote` with its verdict.
   */
  | {
    readonly kind: 'verify';
    readonly name: string;
    readonly check: (secret: PppSecret | undefined) => AuthOutput[];
    readonly credential: Credential;
    readonly checkRemote: (verdict: RemoteVerdict) => AuthOutput[];
  }
  | { readonly kind: 'success'; readonly method: AuthMethod; readonly user: string; readonly secret: PppSecret | undefined; readonly keys: KeyMaterial | undefined }
  /** `user`: the name the peer gave, when it got that far (for the log line). */
  | { readonly kind: 'failure'; readonly reason: string; readonly user?: string }
  | { readonly kind: 'discarded'; readonly why: string };

export interface AuthTiming {
  readonly restartMs: number;
  readonly maxTries: number;
}

export interface Authenticator {
  start(): AuthOutput[];
  receive(packet: Buffer): AuthOutput[];
  timeout(): AuthOutput[];
}
