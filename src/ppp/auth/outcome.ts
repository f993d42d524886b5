// What an authentication exchange (PAP or a CHAP variant, either role) tells the session.

import type { PppSecret } from '../secrets.js';
import type { AuthMethod } from './method.js';

/** What MPPE start keys are derived from (RFC 3079 sections 2 and 3). */
export type KeyMaterial =
  | { readonly kind: 'mschap2'; readonly password: string; readonly ntResponse: Buffer }
  | { readonly kind: 'mschap1'; readonly password: string; readonly challenge: Buffer };

export type AuthOutput =
  | { readonly kind: 'send'; readonly data: Buffer }
  | { readonly kind: 'timer'; readonly ms: number | null }
  /** Authenticator: look the user up (maybe asynchronously), then call `check` with the secret. */
  | { readonly kind: 'verify'; readonly name: string; readonly check: (secret: PppSecret | undefined) => AuthOutput[] }
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
