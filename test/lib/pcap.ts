// Reads the PPP frames of enhanced GRE out of a classic pcap file (Ethernet, IPv4): enough to
// replay a captured PPTP call into a PPP session. Not a general pcap reader: anything else in
// the file (TCP control connection, ARP, IPv6) is skipped.
import { readFileSync } from 'node:fs';
import { parseGre } from '../../src/wire/gre.js';
import { parsePppFrame } from '../../src/wire/ppp-frame.js';
import { WireError } from '../../src/wire/error.js';

export interface CapturedPpp {
  /** 1-based frame number, as tshark and Wireshark count. */
  readonly frame: number;
  readonly from: string;
  readonly to: string;
  readonly protocol: number;
  readonly information: Buffer;
}

const ETHERTYPE_IPV4 = 0x0800;
const IP_PROTOCOL_GRE = 47;
const LINKTYPE_ETHERNET = 1;

export function readPptpPpp(file: string): CapturedPpp[] {
  const buf = readFileSync(file);
  const magic = buf.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4) throw new Error(`${file}: not a little-endian microsecond pcap (magic 0x${magic.toString(16)})`);
  if (buf.readUInt32LE(20) !== LINKTYPE_ETHERNET) throw new Error(`${file}: link type ${buf.readUInt32LE(20)}, expected Ethernet`);
  const out: CapturedPpp[] = [];
  let at = 24;
  for (let frame = 1; at + 16 <= buf.length; frame++) {
    const caplen = buf.readUInt32LE(at + 8);
    const data = buf.subarray(at + 16, at + 16 + caplen);
    at += 16 + caplen;
    if (data.length < 14 + 20 || data.readUInt16BE(12) !== ETHERTYPE_IPV4) continue;
    const ip = data.subarray(14);
    const ihl = (ip[0]! & 0x0f) * 4;
    if (ip[9] !== IP_PROTOCOL_GRE) continue;
    const gre = parseGre(ip.subarray(ihl, ip.readUInt16BE(2)));
    if (gre instanceof WireError) throw new Error(`${file} frame ${frame}: ${gre.message}`);
    if (gre.payload.length === 0) continue; // acknowledgment only
    const ppp = parsePppFrame(gre.payload);
    if (ppp instanceof WireError) throw new Error(`${file} frame ${frame}: ${ppp.message}`);
    out.push({ frame, from: ip.subarray(12, 16).join('.'), to: ip.subarray(16, 20).join('.'), ...ppp });
  }
  return out;
}
