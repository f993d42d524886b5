// change-tcp-mss (RouterOS /ppp profile): a TCP SYN crossing a tunnel whose MSS option is larger
// than the tunnel allows is rewritten in place, so hosts behind the routers (MTU 1500) never
// send segments that need fragmenting into GRE. The TCP checksum is updated incrementally
// (RFC 1624), so the rest of the segment is never read.

const PROTO_TCP = 6;
const TCP_SYN = 0x02;
const OPT_END = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;

/** The largest MSS for a link MTU: IPv4 and TCP headers without options (RFC 879). */
export function mssForMtu(mtu: number): number {
  return mtu - 40;
}

/**
 * Lowers the MSS option of an IPv4 TCP SYN (or SYN-ACK) to `maxMss`; returns whether the packet
 * was changed. Anything else (other protocols, fragments, no MSS option, malformed options) is
 * left alone.
 */
export function clampTcpMss(packet: Buffer, maxMss: number): boolean {
  if (packet.length < 20 || packet[0]! >> 4 !== 4 || packet[9] !== PROTO_TCP) return false;
  const ihl = (packet[0]! & 0x0f) * 4;
  // Only the first fragment carries the TCP header; a later one has a fragment offset.
  if ((packet.readUInt16BE(6) & 0x1fff) !== 0) return false;
  const tcp = ihl;
  if (ihl < 20 || packet.length < tcp + 20) return false;
  if ((packet[tcp + 13]! & TCP_SYN) === 0) return false;
  const dataOffset = (packet[tcp + 12]! >> 4) * 4;
  const end = Math.min(tcp + dataOffset, packet.length);
  let at = tcp + 20;
  while (at < end) {
    const kind = packet[at]!;
    if (kind === OPT_END) return false;
    if (kind === OPT_NOP) {
      at++;
      continue;
    }
    if (at + 1 >= end) return false;
    const len = packet[at + 1]!;
    if (len < 2 || at + len > end) return false;
    if (kind === OPT_MSS && len === 4) {
      const mss = packet.readUInt16BE(at + 2);
      if (mss <= maxMss) return false;
      packet.writeUInt16BE(maxMss, at + 2);
      packet.writeUInt16BE(adjustChecksum(packet.readUInt16BE(tcp + 16), mss, maxMss), tcp + 16);
      return true;
    }
    at += len;
  }
  return false;
}

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), one 16-bit word changed from m to m'. */
function adjustChecksum(checksum: number, from: number, to: number): number {
  let sum = (~checksum & 0xffff) + (~from & 0xffff) + to;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
