// Where users come from: a lookup function (the router's /ppp secret table today, RADIUS
// later) and the checks RouterOS makes before a password is even compared.

export interface PppSecret {
  readonly name: string;
  readonly password: string;
  /** "any" or a service name such as "pptp". */
  readonly service: string;
  /** Empty: any caller. Otherwise the caller's address (for PPTP, the client's IP). */
  readonly callerId: string;
  readonly profile: string;
  readonly localAddress?: string;
  readonly remoteAddress?: string;
  readonly routes?: string;
  readonly disabled: boolean;
  /** Set for a user a RADIUS server let in: what its Access-Accept said beyond addresses. */
  readonly remote?: RemoteGrant;
}

/** RADIUS reply attributes the router acts on for the session (RFC 2865 5.25, 5.27, 5.28; RFC 2869 5.16). */
export interface RemoteGrant {
  /** The server that accepted the user (its address). */
  readonly server: string;
  /** Class attributes, echoed in every accounting record (RFC 2865 5.25). */
  readonly classes: readonly Buffer[];
  readonly sessionTimeout: number | undefined;
  readonly idleTimeout: number | undefined;
  readonly interimInterval: number | undefined;
}

export type SecretLookup = (name: string) => PppSecret | undefined | Promise<PppSecret | undefined>;

export interface CallContext {
  readonly service: string; // "pptp"
  readonly callerId: string;
}

/** Why this secret may not log in from here, or undefined when it may (password not yet checked). */
export function refusal(secret: PppSecret | undefined, context: CallContext): string | undefined {
  if (!secret) return 'user unknown';
  if (secret.disabled) return 'user disabled';
  if (secret.service !== 'any' && secret.service !== '' && secret.service !== context.service) {
    return `service ${context.service} not allowed`;
  }
  if (secret.callerId !== '' && secret.callerId !== context.callerId) return 'caller-id mismatch';
  return undefined;
}

/** The part of `DOMAIN\user` after the backslash, RouterOS's second try when no secret has the full name. */
export function withoutDomain(name: string): string {
  return name.slice(name.lastIndexOf('\\') + 1);
}
