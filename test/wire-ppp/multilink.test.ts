// RFC 1990 section 3 fragments over one link (src/wire/multilink.ts): header formats, the
// fragmenter's sizes and B/E bits, sequence wrap, and a reassembler that drops only the packet a
// lost fragment belonged to, within its size, fragment and time bounds.
import t from 'tap';
import { emitMpFragment, MpFragmenter, MpReassembler, parseMpFragment } from '../../src/wire/multilink.js';
import { WireError } from '../../src/wire/error.js';

const limits = { maxPacket: 1602, maxFragments: 64, timeoutMs: 1000 };
const packet = (n: number, fill = 0x11): Buffer => Buffer.concat([Buffer.from([0x00, 0xfd]), Buffer.alloc(n - 2, fill)]);

t.test('long and short sequence headers (RFC 1990 figures 2 and 3)', async (t) => {
  const long = emitMpFragment({ begin: true, end: false, sequence: 0x123456, payload: Buffer.from('ab', 'hex') }, false);
  t.equal(long.toString('hex'), '80123456ab');
  const short = emitMpFragment({ begin: false, end: true, sequence: 0xabc, payload: Buffer.from('cd', 'hex') }, true);
  t.equal(short.toString('hex'), '4abccd');
  t.same(parseMpFragment(long, false), { begin: true, end: false, sequence: 0x123456, payload: Buffer.from('ab', 'hex') });
  t.same(parseMpFragment(short, true), { begin: false, end: true, sequence: 0xabc, payload: Buffer.from('cd', 'hex') });
  t.ok(parseMpFragment(Buffer.from('80000001', 'hex'), false) instanceof WireError, 'a header alone carries nothing');
  t.ok(parseMpFragment(Buffer.from('c1000001ff', 'hex'), false) instanceof WireError, 'reserved bits set: refused');
});

t.test('fragments fit the MTU, are even in size, carry B on the first and E on the last', async (t) => {
  const f = new MpFragmenter(false);
  const frags = f.fragment(packet(1506), 1450);
  t.same(frags.map((x) => x.length), [4 + 753, 4 + 753]);
  t.same(frags.map((x) => x[0]! & 0xc0), [0x80, 0x40]);
  const one = f.fragment(packet(100), 1450);
  t.equal(one.length, 1);
  t.equal(one[0]![0]! & 0xc0, 0xc0, 'a packet that fits is one fragment with B and E');
  t.same([...frags, ...one].map((x) => (parseMpFragment(x, false) as { sequence: number }).sequence), [0, 1, 2], 'one sequence number per fragment');
  const many = new MpFragmenter(true).fragment(packet(4000), 700);
  t.ok(many.every((x) => x.length <= 700), 'short headers too');
  t.throws(() => f.fragment(packet(100), 4), /no room/);
});

t.test('12-bit sequence numbers wrap, and reassembly follows across the wrap', async (t) => {
  const f = new MpFragmenter(true);
  for (let i = 0; i < 0xfff; i++) f.fragment(Buffer.from([0x21, i & 0xff]), 1450);
  const wrap = f.fragment(packet(1506), 1000);
  t.same(wrap.map((x) => (parseMpFragment(x, true) as { sequence: number }).sequence), [0xfff, 0]);
  const r = new MpReassembler(true, limits);
  const out = wrap.flatMap((x) => r.receive(x, 0).packets);
  t.same(out, [packet(1506)]);
});

t.test('a lost fragment drops its packet only, counted once', async (t) => {
  const f = new MpFragmenter(false);
  const r = new MpReassembler(false, limits);
  const a = f.fragment(packet(1506, 0xa), 600); // 3 fragments
  const b = f.fragment(packet(1506, 0xb), 600);
  const c = f.fragment(packet(100, 0xc), 600);
  const got: Buffer[] = [];
  const dropped: string[] = [];
  for (const x of [a[0]!, a[2]!, ...b, ...c]) {
    const res = r.receive(x, 0);
    got.push(...res.packets);
    dropped.push(...res.dropped);
  }
  t.same(got, [packet(1506, 0xb), packet(100, 0xc)], 'the packets around the loss arrive whole');
  t.same(dropped, ['lost-fragment']);
  // The first fragment of a packet lost: its middle and end are discarded, counted once.
  const d = f.fragment(packet(1506, 0xd), 600);
  const e = f.fragment(packet(1506, 0xe), 600);
  const res = [d[1]!, d[2]!, ...e].map((x) => r.receive(x, 0));
  t.same(res.flatMap((x) => x.dropped), ['lost-fragment']);
  t.same(res.flatMap((x) => x.packets), [packet(1506, 0xe)]);
});

t.test('bounded: longer than MRRU + 2, more than maxFragments, or older than the timeout is dropped', async (t) => {
  const f = new MpFragmenter(false);
  const r = new MpReassembler(false, limits);
  const tooLong = f.fragment(packet(1700), 600).map((x) => r.receive(x, 0));
  t.same(tooLong.flatMap((x) => x.dropped), ['too-long']);
  t.same(tooLong.flatMap((x) => x.packets), []);
  t.ok(r.holding <= limits.maxPacket, 'never holds more than the limit');
  const fit = f.fragment(packet(1602), 600).flatMap((x) => r.receive(x, 0).packets);
  t.equal(fit[0]?.length, 1602, 'exactly MRRU + 2 passes');
  const few = new MpReassembler(false, { ...limits, maxFragments: 2 });
  t.same(f.fragment(packet(1500), 500).flatMap((x) => few.receive(x, 0).dropped), ['too-long'], 'fragment count bound');
  const slow = f.fragment(packet(1506), 800);
  t.same(r.receive(slow[0]!, 0).packets, []);
  t.equal(r.nextDeadline(), 1000);
  t.same(r.expire(999), []);
  t.same(r.expire(1000), ['timeout'], 'given up after the timeout');
  t.same(r.receive(slow[1]!, 1001), { packets: [], dropped: [] }, 'its late end is discarded quietly');
  t.equal(r.nextDeadline(), undefined, 'nothing held');
});
