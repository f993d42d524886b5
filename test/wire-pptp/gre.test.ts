import t from 'tap';
import fc from 'fast-check';
import {
  parseGre,
  parseGreHeader,
  emitGre,
  emitGreHeader,
  emitGreInto,
  greLength,
  greHeaderLength,
  type GrePacket,
} from '../../src/wire/gre.js';
import { MAX_TUNNEL_MTU } from '../../src/config/menus/interface.js';
import { WireError } from '../../src/wire/error.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

t.test('a data packet with sequence and acknowledgment parses to its fields', async (t) => {
  // flags 0x3081: K, S, A, version 1; protocol 880b; payload length 4; call ID 0x1234 (big-endian)
  const bytes = hex('3081 880b 0004 1234 00000007 00000005 ff03c021');
  const p = parseGre(bytes);
  if (p instanceof WireError) throw new Error(p.toString());
  t.equal(p.callId, 0x1234);
  t.equal(p.sequence, 7);
  t.equal(p.ack, 5);
  t.same([...p.payload], [0xff, 0x03, 0xc0, 0x21]);
  t.same(emitGre(p), bytes, 'emits the same bytes');
  t.equal(greLength(p), bytes.length);
});

t.test('a data packet without acknowledgment has a 12-byte header', async (t) => {
  const bytes = hex('3001 880b 0002 0001 ffffffff abcd');
  const p = parseGre(bytes);
  if (p instanceof WireError) throw new Error(p.toString());
  t.equal(p.sequence, 0xffffffff);
  t.equal(p.ack, undefined);
  t.equal(greHeaderLength(p), 12);
  t.same(emitGre(p), bytes);
});

t.test('an ack-only packet has S clear, no payload and a 12-byte header', async (t) => {
  const bytes = hex('2081 880b 0000 8000 0000002a');
  const p = parseGre(bytes);
  if (p instanceof WireError) throw new Error(p.toString());
  t.equal(p.callId, 0x8000);
  t.equal(p.sequence, undefined);
  t.equal(p.ack, 42);
  t.equal(p.payload.length, 0);
  t.same(emitGre(p), bytes);
});

t.test('parsing at an offset skips what comes before (an IP header)', async (t) => {
  const bytes = hex('45000000 3001 880b 0001 0002 00000001 aa');
  const p = parseGre(bytes, 4);
  if (p instanceof WireError) throw new Error(p.toString());
  t.equal(p.callId, 2);
  t.same([...p.payload], [0xaa]);
});

t.test('trailing link padding after the announced payload is ignored', async (t) => {
  const p = parseGre(hex('3001 880b 0001 0002 00000001 aa 0000'));
  if (p instanceof WireError) throw new Error(p.toString());
  t.same([...p.payload], [0xaa]);
});

const rejects: Array<[string, string, string, number]> = [
  ['version 0 (plain GRE)', '3080 880b 0000 0001 00000001', 'version', 1],
  ['protocol type IPv4', '3001 0800 0000 0001 00000001', 'protocol type', 2],
  ['K flag clear', '1001 880b 0000 0001 00000001', 'K flag', 0],
  ['C flag set', 'b001 880b 0000 0001 00000001', 'C flag', 0],
  ['R flag set', '7001 880b 0000 0001 00000001', 'R flag', 0],
  ['payload length beyond the buffer', '3001 880b 0005 0001 00000001 aabb', 'payload length', 4],
  ['sequence number cut off', '3001 880b 0000 0001 0000', 'sequence number', 8],
  ['acknowledgment number cut off', '3081 880b 0000 0001 00000001 00', 'acknowledgment number', 12],
  ['payload without sequence number', '2001 880b 0001 0001 aa', 'S flag', 0],
  ['shorter than the fixed header', '3001 880b 00', 'length', 0],
];
for (const [name, bytes, field, offset] of rejects) {
  t.test(`rejects ${name} with a WireError naming ${field}`, async (t) => {
    const r = parseGre(hex(bytes));
    t.ok(r instanceof WireError);
    if (r instanceof WireError) {
      t.equal(r.field, field);
      t.equal(r.offset, offset);
      t.equal(r.message, 'GRE header');
    }
  });
}

t.test('reserved strict-route/recursion/flag bits are tolerated on receipt', async (t) => {
  const p = parseGre(hex('3f79 880b 0000 0001 00000001 00000002'));
  t.notOk(p instanceof WireError);
});

const arbPacket: fc.Arbitrary<GrePacket> = fc.oneof(
  fc.record({
    callId: fc.integer({ min: 0, max: 0xffff }),
    sequence: fc.integer({ min: 0, max: 0xffffffff }),
    ack: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
    payload: fc.uint8Array({ maxLength: 1600 }).map((a) => Buffer.from(a)),
  }),
  fc.record({
    callId: fc.integer({ min: 0, max: 0xffff }),
    sequence: fc.constant(undefined),
    ack: fc.integer({ min: 0, max: 0xffffffff }),
    payload: fc.constant(Buffer.alloc(0)),
  }),
);

t.test('parse(emit(p)) gives p back, with and without seq/ack', async (t) => {
  fc.assert(
    fc.property(arbPacket, (p) => {
      const bytes = emitGre(p);
      const q = parseGre(bytes);
      if (q instanceof WireError) return false;
      return (
        q.callId === p.callId &&
        q.sequence === p.sequence &&
        q.ack === p.ack &&
        q.payload.equals(p.payload) &&
        emitGre(q).equals(bytes)
      );
    }),
  );
  t.pass('round-trips');
});

t.test('emitGreInto and emitGreHeader write at a caller offset', async (t) => {
  fc.assert(
    fc.property(arbPacket, fc.integer({ min: 0, max: 64 }), (p, off) => {
      const buf = Buffer.alloc(off + greLength(p) + 3, 0xee);
      const n = emitGreInto(p, buf, off);
      const direct = emitGre(p);
      if (n !== direct.length || !buf.subarray(off, off + n).equals(direct)) return false;
      if (buf[off - 1] !== undefined && buf[off - 1] !== 0xee) return false;
      const hbuf = Buffer.alloc(off + 16);
      const hn = emitGreHeader({ callId: p.callId, sequence: p.sequence, ack: p.ack, payloadLength: p.payload.length }, hbuf, off);
      return hbuf.subarray(off, off + hn).equals(direct.subarray(0, hn));
    }),
  );
  t.pass('same bytes at any offset');
});

t.test('parse never throws on random or truncated bytes, only WireError', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 45 }), (a, off) => {
      const r = parseGre(Buffer.from(a), off);
      const h = parseGreHeader(Buffer.from(a), off);
      return (r instanceof WireError || typeof r.callId === 'number') && (h instanceof WireError || typeof h.callId === 'number');
    }),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(arbPacket, fc.nat(), (p, cut) => {
      const bytes = emitGre(p);
      const n = cut % bytes.length;
      return parseGre(bytes.subarray(0, n)) instanceof WireError;
    }),
  );
  t.pass('no throw');
});

t.test('emit refuses out-of-range fields and payload without sequence (programming errors)', async (t) => {
  t.throws(() => emitGre({ callId: 0x10000, sequence: 1, payload: Buffer.alloc(0) }), RangeError);
  t.throws(() => emitGre({ callId: 1, sequence: -1, payload: Buffer.alloc(0) }), RangeError);
  t.throws(() => emitGre({ callId: 1, payload: Buffer.from([1]) }), RangeError);
  t.throws(() => emitGreHeader({ callId: 1, sequence: 1, payloadLength: 0 }, Buffer.alloc(8)), RangeError);
});

t.test('an MPPE frame carrying a MAX_TUNNEL_MTU packet fits one IPv4 datagram; one byte more does not', async (t) => {
  const ipHeader = 20;
  const pppOverhead = 8; // FF 03, 00 FD, MPPE header, inner protocol
  const frame = (mtu: number) => Buffer.alloc(mtu + pppOverhead);
  const packet = emitGre({ callId: 1, sequence: 0, ack: 0, payload: frame(MAX_TUNNEL_MTU) });
  t.equal(packet.length + ipHeader, 65535, 'exactly the largest IPv4 datagram');
  t.throws(() => emitGre({ callId: 1, sequence: 0, ack: 0, payload: Buffer.alloc(0x10000) }), RangeError, 'the emitter refuses a payload past 16 bits');
});
