// The entries of the authentication protocols (PAP 0xc023, CHAP 0xc223, RFC 1334 and 1994): the
// exchange itself lives in src/ppp/auth and the session's verify/applyAuth; the entry only
// routes frames and a Protocol-Reject of the protocol LCP agreed on.
import type { ProtocolEntry } from './entry.js';

export interface AuthRoute {
  /** A frame of `protocol` while LCP is Opened. */
  receive(protocol: number, information: Buffer): void;
  /** The peer Protocol-Rejected `protocol`. */
  rejected(protocol: number): void;
}

export class AuthProtocol implements ProtocolEntry {
  constructor(readonly protocol: number, readonly name: string, private readonly route: AuthRoute) {}
  input(information: Buffer): void { this.route.receive(this.protocol, information); }
  protocolReject(): void { this.route.rejected(this.protocol); }
  lowerDown(): void {}
}
