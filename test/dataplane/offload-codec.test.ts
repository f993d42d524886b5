// The TUN offload codec (native/src/dataplane/offload.cc) byte for byte against a TypeScript
// oracle written from RFC 791/793/1071 and what the kernel's own TCP segmentation writes: a large
// TCP segment split into MTU-sized packets (IP IDs counted up, sequence numbers advanced, FIN/PSH
// on the last only, CWR on the first only, both checksums complete); consecutive segments
// coalesced into one write with a GSO header, which segments back into the same bytes; what must
// not be merged (a bad checksum, a gap, another flow, a SYN) is written alone, in order.
import t from 'tap';
import { requireBenchExport } from '../../src/native.js';

const tsoSegment = requireBenchExport<(p: Uint8Array, gso: number) => Buffer[] | null>('tsoSegment');
const groCoalesce = requireBenchExport<(p: Uint8Array[]) => Buffer[]>('groCoalesce');
const completeChecksum = requireBenchExport<(p: Uint8Array, start: number, offset: number) => Buffer | null>('completeChecksum');

function sum(buf: Uint8Array, acc = 0): number {
  for (let i = 0; i + 1 < buf.length; i += 2) acc += (buf[i]! << 8) | buf[i + 1]!;
  if (buf.length % 2) acc += buf[buf.length - 1]! << 8;
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return acc;
}
const checksum = (buf: Uint8Array, acc = 0): number => ~sum(buf, acc) & 0xffff;
const pseudo = (ip: Buffer, proto: number, length: number): number => sum(ip.subarray(12, 20)) + proto + length;

/** An IPv4/TCP packet with a timestamp option, checksums filled in. */
function tcpPacket(o: { id: number; seq: number; flags: number; payload: Buffer; src?: number; corrupt?: boolean }): Buffer {
  const options = Buffer.from('0101080a0000aaaa0000bbbb', 'hex');
  const tcp = Buffer.alloc(20 + options.length);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(5201, 2);
  tcp.writeUInt32BE(o.seq >>> 0, 4);
  tcp.writeUInt32BE(0x01020304, 8);
  tcp[12] = (tcp.length / 4) << 4;
  tcp[13] = o.flags;
  tcp.writeUInt16BE(502, 14);
  options.copy(tcp, 20);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + tcp.length + o.payload.length, 2);
  ip.writeUInt16BE(o.id & 0xffff, 4);
  ip.writeUInt16BE(0x4000, 6);
  ip[8] = 64;
  ip[9] = 6;
  Buffer.from([10, 41, 0, o.src ?? 1, 10, 41, 0, 2]).copy(ip, 12);
  ip.writeUInt16BE(checksum(ip), 10);
  const segment = Buffer.concat([tcp, o.payload]);
  segment.writeUInt16BE(checksum(segment, pseudo(ip, 6, segment.length)), 16);
  if (o.corrupt) segment[segment.length - 1]! ^= 0xff;
  return Buffer.concat([ip, segment]);
}

const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const CWR = 0x80;

/** The oracle: what the kernel's segmentation makes of a super-packet. */
function oracleSegments(superPacket: Buffer, mss: number): Buffer[] {
  const id = superPacket.readUInt16BE(4);
  const seq = superPacket.readUInt32BE(24);
  const flags = superPacket[33]!;
  const payload = superPacket.subarray(52);
  const out: Buffer[] = [];
  const count = Math.ceil(payload.length / mss);
  for (let i = 0; i < count; i++) {
    let f = flags;
    if (i !== count - 1) f &= ~(FIN | PSH);
    if (i !== 0) f &= ~CWR;
    out.push(tcpPacket({ id: id + i, seq: seq + i * mss, flags: f, payload: payload.subarray(i * mss, (i + 1) * mss) }));
  }
  return out;
}

const payloadOf = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

t.test('a large TCP segment is split as the kernel splits it', async (t) => {
  for (const [length, mss, flags] of [
    [10_000, 1360, ACK | PSH],
    [1360 * 5, 1360, ACK | PSH | FIN | CWR],
    [65_000, 1448, ACK],
    [1, 1360, ACK | PSH],
  ] as const) {
    const big = tcpPacket({ id: 0xfffe, seq: 0xfffff000, flags, payload: payloadOf(length, length) });
    // What TUN hands over carries only the pseudo-header sum: the segmenter must not rely on it.
    big.writeUInt16BE(0, 36);
    const got = tsoSegment(big, mss)!;
    const want = oracleSegments(tcpPacket({ id: 0xfffe, seq: 0xfffff000, flags, payload: payloadOf(length, length) }), mss);
    t.equal(got.length, want.length, `${length} octets at MSS ${mss}: ${want.length} packets`);
    t.same(got.map((b) => b.toString('hex')), want.map((b) => b.toString('hex')), `${length} octets at MSS ${mss}: the same bytes (IDs and sequence numbers wrap)`);
  }
  t.equal(tsoSegment(Buffer.alloc(60), 1360), null, 'not an IPv4/TCP packet: refused');
  const udp = tcpPacket({ id: 1, seq: 1, flags: ACK, payload: payloadOf(100, 1) });
  udp[9] = 17;
  t.equal(tsoSegment(udp, 1360), null, 'UDP is not segmented as TCP');
  t.throws(() => tsoSegment(big16(), 0), TypeError, 'gso size 0 refused');
});

function big16(): Buffer {
  return tcpPacket({ id: 1, seq: 1, flags: ACK, payload: payloadOf(100, 1) });
}

t.test('consecutive segments coalesce into one GSO write that segments back into the same bytes', async (t) => {
  const mss = 1360;
  const segments = oracleSegments(tcpPacket({ id: 100, seq: 5000, flags: ACK | PSH, payload: payloadOf(mss * 6 + 500, 7) }), mss);
  const writes = groCoalesce(segments);
  t.equal(writes.length, 1, 'seven segments, one TUN write');
  const w = writes[0]!;
  t.same([...w.subarray(0, 10)], [1, 1, 52 & 0xff, 0, mss & 0xff, mss >> 8, 20, 0, 16, 0], 'virtio_net_hdr: NEEDS_CSUM, TCPv4, header 52, gso_size 1360, checksum at 20+16');
  const merged = w.subarray(10);
  t.equal(merged.readUInt16BE(2), merged.length, 'IP total length of the whole');
  t.equal(sum(merged.subarray(0, 20)), 0xffff, 'IP header checksum valid');
  t.equal(merged.readUInt16BE(36), sum(Buffer.alloc(0), pseudo(merged, 6, merged.length - 20)), 'TCP checksum field holds the pseudo-header sum (partial)');
  t.same(merged.subarray(52), Buffer.concat(segments.map((s) => s.subarray(52))), 'the payloads, in order');
  t.equal(merged[33], ACK | PSH, 'PSH from the last segment');
  t.same(tsoSegment(merged, mss)!.map((b) => b.toString('hex')), segments.map((b) => b.toString('hex')), 'segmented again: the original packets, byte for byte');
});

t.test('what must not be merged is written alone, in order', async (t) => {
  const mss = 1000;
  const seg = (i: number, o: Partial<Parameters<typeof tcpPacket>[0]> = {}): Buffer =>
    tcpPacket({ id: 10 + i, seq: 1 + i * mss, flags: ACK, payload: payloadOf(mss, i), ...o });
  const cases: [string, Buffer[], number[]][] = [
    ['a corrupted checksum', [seg(0), seg(1), seg(2, { corrupt: true }), seg(3)], [2, 1, 1]],
    ['a sequence gap', [seg(0), seg(1), seg(3), seg(4)], [2, 2]],
    ['another flow between', [seg(0), seg(1, { src: 9 }), seg(1)], [1, 1, 1]],
    ['a SYN', [seg(0, { flags: 0x02 }), seg(1), seg(2)], [1, 2]],
    ['a short segment ends a merge', [seg(0), seg(1, { payload: payloadOf(10, 1) }), seg(2)], [2, 1]],
  ];
  for (const [name, input, groups] of cases) {
    const writes = groCoalesce(input);
    const sizes = writes.map((w) => (w[1] === 1 ? (w.length - 10 - 52) / mss : 1));
    t.same(sizes.map(Math.ceil), groups, `${name}: writes of ${groups.join(', ')} packets`);
    const payload = Buffer.concat(writes.map((w) => w.subarray(10 + 52)));
    t.same(payload, Buffer.concat(input.map((p) => p.subarray(52))), `${name}: every payload octet, in order`);
    for (const w of writes.filter((x) => x[1] === 0)) t.same(w.subarray(0, 10), Buffer.alloc(10), `${name}: a packet written alone has an empty vnet header`);
  }
});

t.test('a partial checksum is completed (TCP, and UDP where 0 is sent as all ones)', async (t) => {
  const full = tcpPacket({ id: 1, seq: 1, flags: ACK, payload: payloadOf(333, 3) });
  const partial = Buffer.from(full);
  partial.writeUInt16BE(sum(Buffer.alloc(0), pseudo(partial, 6, partial.length - 20)), 36);
  t.same(completeChecksum(partial, 20, 16), full, 'TCP: the same bytes as a full checksum');
  t.equal(completeChecksum(partial, 20, partial.length), null, 'an offset past the end is refused');
  // A UDP datagram whose checksum works out to 0: found by searching one payload octet.
  for (let v = 0; v < 0x10000; v++) {
    const udp = Buffer.alloc(20 + 8 + 2);
    udp[0] = 0x45;
    udp.writeUInt16BE(udp.length, 2);
    udp[8] = 64;
    udp[9] = 17;
    Buffer.from([10, 0, 0, 1, 10, 0, 0, 2]).copy(udp, 12);
    udp.writeUInt16BE(1, 20);
    udp.writeUInt16BE(2, 22);
    udp.writeUInt16BE(10, 24);
    udp.writeUInt16BE(v, 28);
    if (checksum(udp.subarray(20), pseudo(udp, 17, 10)) !== 0) continue;
    udp.writeUInt16BE(sum(Buffer.alloc(0), pseudo(udp, 17, 10)), 26);
    t.equal(completeChecksum(udp, 20, 6)!.readUInt16BE(26), 0xffff, 'UDP: a zero checksum goes out as 0xffff');
    break;
  }
});
