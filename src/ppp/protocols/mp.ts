// Multilink PPP's entry (RFC 1990, protocol 0x003d). MP frames are data: when LCP negotiated
// MRRU both ways the data plane reassembles them and never hands them here. One that reaches the
// engine arrived on a link without Multilink, and is Protocol-Rejected (RFC 1990 section 3:
// a system that did not negotiate MP must not be sent it).
import { PPP_PROTOCOL } from '../../wire/ppp-frame.js';
import type { ProtocolEntry } from './entry.js';

export class MpProtocol implements ProtocolEntry {
  readonly protocol = PPP_PROTOCOL.MP;
  readonly name = 'MP';
  constructor(private readonly reject: (protocol: number, information: Buffer) => void, private readonly onRejected: () => void) {}
  input(information: Buffer): void { this.reject(this.protocol, information); }
  protocolReject(): void { this.onRejected(); }
  lowerDown(): void {}
}
