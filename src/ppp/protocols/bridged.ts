// The entry of bridged LAN frames (protocol 0x0031, RFC 3518 section 5). They are data, but the
// data planes hand every protocol they do not carry themselves to the engine; this entry passes
// them on while BCP is Opened and discards them otherwise (RFC 1661 section 3.4: a network-layer
// packet arriving before its NCP is Opened is silently discarded). A link that does not bridge
// at all Protocol-Rejects them.
import { PPP_PROTOCOL } from '../../wire/ppp-frame.js';
import type { ProtocolEntry } from './entry.js';

export interface BridgedRoute {
  /** BCP is Opened: the frame is for the bridge. */
  readonly open: () => boolean;
  /** This link negotiates BCP at all (its profile names a bridge). */
  readonly configured: () => boolean;
  readonly deliver: (information: Buffer) => void;
  readonly reject: (protocol: number, information: Buffer) => void;
}

export class BridgedProtocol implements ProtocolEntry {
  readonly protocol = PPP_PROTOCOL.BRIDGED;
  readonly name = 'bridged';
  constructor(private readonly route: BridgedRoute) {}
  input(information: Buffer): void {
    if (this.route.open()) this.route.deliver(information);
    else if (!this.route.configured()) this.route.reject(this.protocol, information);
  }
  protocolReject(): void {}
  lowerDown(): void {}
}
