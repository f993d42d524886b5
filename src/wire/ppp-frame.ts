// A PPP frame as it travels inside PPTP's enhanced GRE (RFC 2637 section 4): no HDLC flags and no
// FCS, only the optional Address/Control octets FF 03 (left out when ACFC was negotiated,
// RFC 1661 section 6.6) and the Protocol field, 1 octet when PFC was negotiated and the value
// fits (RFC 1661 section 6.5), else 2. A receiver accepts both forms at any time.

import { WireError } from './error.js';

export const PPP_ADDRESS = 0xff;
export const PPP_CONTROL = 0x03;

export const PPP_PROTOCOL = {
  IPV4: 0x0021,
  BRIDGED: 0x0031, // bridged LAN frames (RFC 3518 section 5)
  MP: 0x003d,
  IPV6: 0x0057,
  COMPRESSED: 0x00fd, // MPPE/MPPC datagram (RFC 1962)
  IPCP: 0x8021,
  IPXCP: 0x802b,
  BCP: 0x8031,
  NBFCP: 0x803f,
  IPV6CP: 0x8057,
  CCP: 0x80fd,
  LCP: 0xc021,
  PAP: 0xc023,
  LQR: 0xc025,
  CHAP: 0xc223,
} as const;

export interface PppFrame {
  readonly protocol: number;
  readonly information: Buffer;
}

export interface PppFraming {
  /** Leave out FF 03 (the peer accepted our ACFC). */
  readonly acfc: boolean;
  /** Send 1-octet protocol numbers where possible (the peer accepted our PFC). */
  readonly pfc: boolean;
}

export function parsePppFrame(buf: Uint8Array): PppFrame | WireError {
  let at = 0;
  if (buf.length >= 2 && buf[0] === PPP_ADDRESS && buf[1] === PPP_CONTROL) at = 2;
  if (buf.length <= at) return new WireError('PPP frame', 'protocol', at, 'missing');
  let protocol = buf[at]!;
  // RFC 1661 section 2: the low bit of the protocol's last octet is 1, of the others 0, so an
  // odd first octet is a compressed (1-octet) protocol field.
  if ((protocol & 1) === 0) {
    if (buf.length < at + 2) return new WireError('PPP frame', 'protocol', at, 'truncated 2-octet protocol');
    protocol = (protocol << 8) | buf[at + 1]!;
    if ((protocol & 1) === 0) return new WireError('PPP frame', 'protocol', at, `0x${protocol.toString(16)} has an even last octet`);
    at += 2;
  } else {
    at += 1;
  }
  return { protocol, information: Buffer.from(buf.subarray(at)) };
}

/**
 * Whether the protocol goes out in one octet. Never 0x00FF (reserved, "compression inefficient"):
 * compressed and without Address/Control it would read as FF 03, the Address/Control pair
 * (found by fuzzing, issue 15).
 */
function shortProtocol(frame: PppFrame, framing: PppFraming): boolean {
  return framing.pfc && frame.protocol < 0x100 && frame.protocol !== 0xff;
}

export function pppFrameLength(frame: PppFrame, framing: PppFraming): number {
  const short = shortProtocol(frame, framing);
  return (framing.acfc ? 0 : 2) + (short ? 1 : 2) + frame.information.length;
}

export function emitPppFrame(frame: PppFrame, framing: PppFraming): Buffer {
  // LCP frames always go out with Address/Control and a full protocol field (RFC 1661 6.5/6.6);
  // callers pass {acfc:false,pfc:false} for them.
  const out = Buffer.alloc(pppFrameLength(frame, framing));
  let at = 0;
  if (!framing.acfc) {
    out[0] = PPP_ADDRESS;
    out[1] = PPP_CONTROL;
    at = 2;
  }
  if (shortProtocol(frame, framing)) {
    out[at++] = frame.protocol;
  } else {
    out.writeUInt16BE(frame.protocol, at);
    at += 2;
  }
  frame.information.copy(out, at);
  return out;
}
