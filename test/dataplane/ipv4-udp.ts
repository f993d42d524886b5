// Builds IPv4/UDP datagrams and PPP-in-GRE packets by hand, for injecting crafted streams.
import { emitGre } from '../../src/wire/gre.js';
import { emitPppFrame, PPP_PROTOCOL } from '../../src/wire/ppp-frame.js';

function ipChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function addr(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number));
}

/** An IPv4 UDP datagram (UDP checksum 0: none, allowed for IPv4 by RFC 768). */
export function udpDatagram(src: string, dst: string, dstPort: number, payload: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  const total = 20 + 8 + payload.length;
  ip[0] = 0x45;
  ip.writeUInt16BE(total, 2);
  ip[8] = 64; // TTL
  ip[9] = 17; // UDP
  addr(src).copy(ip, 12);
  addr(dst).copy(ip, 16);
  ip.writeUInt16BE(ipChecksum(ip), 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(dstPort, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([ip, udp, payload]);
}

/** One GRE data packet carrying an IPv4 datagram in a full-form PPP frame. */
export function greIpv4(callId: number, sequence: number, datagram: Buffer): Buffer {
  const frame = emitPppFrame({ protocol: PPP_PROTOCOL.IPV4, information: datagram }, { acfc: false, pfc: false });
  return emitGre({ callId, sequence, payload: frame });
}
