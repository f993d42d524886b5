import t from 'tap';
import fc from 'fast-check';
import { attributeOf, emitLength, emitSentence, MAX_WORD_BYTES, parseLength, parseSentence } from '../../src/wire/routeros-api.js';
import { WireError } from '../../src/wire/error.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

t.test('lengths encode as the API documentation shows at each size boundary', async (t) => {
  // help.mikrotik.com "API": 0x7f in one byte, 0x80 as 0x8080, 0x4000 as 0xc04000 ...
  const vectors: [number, string][] = [
    [0, '00'],
    [0x7f, '7f'],
    [0x80, '8080'],
    [0x3fff, 'bfff'],
    [0x4000, 'c04000'],
    [0x1fffff, 'dfffff'],
    [0x200000, 'e0200000'],
    [0xfffffff, 'efffffff'],
    [0x10000000, 'f010000000'],
  ];
  for (const [n, bytes] of vectors) {
    t.same(emitLength(n), hex(bytes), `emit ${n}`);
    t.same(parseLength(hex(bytes), 0), { value: n, size: hex(bytes).length }, `parse ${bytes}`);
  }
});

t.test('any length round-trips', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
    const b = emitLength(n);
    const p = parseLength(b, 0);
    return !(p instanceof WireError) && p !== undefined && p.value === n && p.size === b.length;
  }));
  t.pass('round-trip');
});

t.test('a sentence round-trips, and a partial one asks for more bytes', async (t) => {
  const words = ['/login', '=name=admin', '=password=é=x', '.tag=7', 'x'.repeat(300)];
  const bytes = emitSentence(words);
  const p = parseSentence(bytes);
  if (p === undefined || p instanceof WireError) throw new Error('no sentence');
  t.same(p.words, words);
  t.equal(p.next, bytes.length);
  for (let cut = 0; cut < bytes.length; cut++) t.equal(parseSentence(bytes.subarray(0, cut)), undefined, `cut at ${cut}`);
  fc.assert(fc.property(fc.array(fc.string({ minLength: 1 }), { maxLength: 20 }), (ws) => {
    const s = parseSentence(Buffer.concat([emitSentence(ws), emitSentence(['/next'])]));
    return s !== undefined && !(s instanceof WireError) && JSON.stringify(s.words) === JSON.stringify(ws);
  }));
});

t.test('a reserved control byte is an error naming the offset', async (t) => {
  const e = parseSentence(Buffer.concat([emitLength(5), Buffer.from('/quit'), hex('f8')]));
  t.ok(e instanceof WireError);
  t.equal((e as WireError).offset, 6);
  t.match((e as WireError).toString(), /reserved control byte 0xf8/);
});

t.test('a word over the size limit is refused before its bytes arrive', async (t) => {
  const e = parseSentence(emitLength(MAX_WORD_BYTES + 1));
  t.ok(e instanceof WireError);
  t.match((e as WireError).reason, /over the/);
});

t.test('attribute words split at their second =', async (t) => {
  t.same(attributeOf('=comment=a=b'), { key: 'comment', value: 'a=b' });
  t.same(attributeOf('=disabled'), { key: 'disabled', value: '' });
  t.equal(attributeOf('?name=x'), undefined);
});
