import t from 'tap';
import fc from 'fast-check';
import { clampTcpMss, mssForMtu } from '../../src/dataplane/tcp-mss.js';

/** The TCP checksum computed in full over the pseudo-header and the segment (RFC 793). */
function tcpChecksum(packet: Buffer): number {
  const ihl = (packet[0]! & 0x0f) * 4;
  const segment = packet.subarray(ihl);
  let sum = 0;
  const add16 = (b: Buffer, at: number): void => {
    sum += (b[at]! << 8) | (at + 1 < b.length ? b[at + 1]! : 0);
  };
  for (let i = 12; i < 20; i += 2) add16(packet, i);
  sum += 6 + segment.length;
  for (let i = 0; i < segment.length; i += 2) {
    if (i === 16) continue; // the checksum field itself counts as zero
    add16(segment, i);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An IPv4 TCP segment with the given flags, options and payload, checksummed. */
function tcp(opts: { flags: number; options: number[]; payload?: number[]; fragmentOffset?: number }): Buffer {
  const options = Buffer.from(opts.options);
  const payload = Buffer.from(opts.payload ?? []);
  const tcpLen = 20 + options.length;
  const p = Buffer.alloc(20 + tcpLen + payload.length);
  p[0] = 0x45;
  p.writeUInt16BE(p.length, 2);
  p.writeUInt16BE(opts.fragmentOffset ?? 0, 6);
  p[8] = 64;
  p[9] = 6;
  Buffer.from([10, 150, 1, 10, 10, 150, 2, 10]).copy(p, 12);
  p.writeUInt16BE(40000, 20);
  p.writeUInt16BE(80, 22);
  p.writeUInt32BE(0x01020304, 24);
  p[32] = (tcpLen / 4) << 4;
  p[33] = opts.flags;
  p.writeUInt16BE(64240, 34);
  options.copy(p, 40);
  payload.copy(p, 40 + options.length);
  p.writeUInt16BE(tcpChecksum(p), 36);
  return p;
}

const SYN = 0x02;
const ACK = 0x10;
// What Linux sends in a SYN: MSS 1460, SACK permitted, timestamps, NOP, window scale.
const linuxSynOptions = (mss: number): number[] => [2, 4, mss >> 8, mss & 0xff, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];

t.test('a SYN with a larger MSS is clamped and its checksum stays right', async (t) => {
  const p = tcp({ flags: SYN, options: linuxSynOptions(1460) });
  t.equal(mssForMtu(1460), 1420, 'the tunnel MTU 1460 allows MSS 1420');
  t.ok(clampTcpMss(p, 1420), 'changed');
  t.equal(p.readUInt16BE(42), 1420, 'MSS option now 1420');
  t.equal(p.readUInt16BE(36), tcpChecksum(p), 'incremental checksum equals the full one');
});

t.test('a SYN-ACK is clamped too; MSS already small enough is left alone', async (t) => {
  const synAck = tcp({ flags: SYN | ACK, options: [1, 1, 2, 4, 0x05, 0xb4, 1, 1] });
  t.ok(clampTcpMss(synAck, 1400));
  t.equal(synAck.readUInt16BE(44), 1400, 'MSS after two NOPs');
  t.equal(synAck.readUInt16BE(36), tcpChecksum(synAck));
  const small = tcp({ flags: SYN, options: linuxSynOptions(1200) });
  const before = Buffer.from(small);
  t.notOk(clampTcpMss(small, 1420));
  t.same(small, before, 'unchanged');
});

t.test('anything that is not a SYN carrying an MSS option is left alone', async (t) => {
  const cases: [string, Buffer][] = [
    ['an ACK with data', tcp({ flags: ACK, options: [], payload: [2, 4, 0x05, 0xb4] })],
    ['a SYN without options', tcp({ flags: SYN, options: [] })],
    ['a SYN whose options end before an MSS', tcp({ flags: SYN, options: [0, 0, 0, 0, 2, 4, 0x05, 0xb4] })],
    ['a SYN with a bad option length', tcp({ flags: SYN, options: [8, 0, 0, 0, 2, 4, 0x05, 0xb4] })],
    ['an MSS option running past the header', tcp({ flags: SYN, options: [1, 1, 1, 1, 1, 1, 2, 4], payload: [0x05, 0xb4] })],
    ['a later fragment', tcp({ flags: SYN, options: linuxSynOptions(1460), fragmentOffset: 100 })],
  ];
  for (const [what, p] of cases) {
    const before = Buffer.from(p);
    t.notOk(clampTcpMss(p, 1420), what);
    t.same(p, before, `${what}: unchanged`);
  }
  const udp = tcp({ flags: SYN, options: linuxSynOptions(1460) });
  udp[9] = 17;
  t.notOk(clampTcpMss(udp, 1420), 'UDP');
  t.notOk(clampTcpMss(Buffer.from([0x45, 0, 0]), 1420), 'a truncated packet');
});

t.test('hostile bytes never throw and never write outside the MSS and checksum fields', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.integer({ min: 0, max: 0xffff }), (bytes, mss) => {
      const p = Buffer.from(bytes);
      if (p.length > 9) {
        p[0] = 0x40 | (p[0]! & 0x0f);
        p[9] = 6;
      }
      const before = Buffer.from(p);
      if (!clampTcpMss(p, mss)) return before.equals(p);
      let changed = 0;
      for (let i = 0; i < p.length; i++) if (p[i] !== before[i]) changed++;
      return changed <= 4;
    }),
  );
});

t.test('random SYNs: the clamped checksum always equals a full recomputation', async () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 536, max: 0xffff }),
      fc.integer({ min: 536, max: 1460 }),
      fc.uint8Array({ maxLength: 40 }),
      (mss, limit, payload) => {
        const p = tcp({ flags: SYN, options: linuxSynOptions(mss), payload: [...payload] });
        const changed = clampTcpMss(p, limit);
        return changed === mss > limit && p.readUInt16BE(42) === Math.min(mss, limit) && p.readUInt16BE(36) === tcpChecksum(p);
      },
    ),
  );
});
