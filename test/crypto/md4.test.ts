import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { md4 } from '../../src/crypto/md4.js';
import { findMd4Oracle } from './oracles.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

t.test('MD4 matches the RFC 1320 appendix A.5 test suite', async (t) => {
  const suite: Array<[string, string]> = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ];
  for (const [text, digest] of suite) t.equal(hex(md4(Buffer.from(text, 'ascii'))), digest, `MD4("${text}")`);
});

t.test('MD4 of a million "a" (many blocks) matches the value openssl gives', async (t) => {
  t.equal(hex(md4(Buffer.alloc(1_000_000, 'a'))), 'bbce80cc6bb65e5c6745e30d4eeca9a4');
});

t.test('MD4 pads every length 0..130 right (vectors precomputed with openssl -provider legacy)', async (t) => {
  const file = JSON.parse(readFileSync(new URL('./vectors/md4-lengths.json', import.meta.url), 'utf8')) as { md4: string[] };
  t.equal(file.md4.length, 131);
  file.md4.forEach((digest, n) => {
    const data = Uint8Array.from({ length: n }, (_, i) => (7 * i + 3) & 0xff);
    t.equal(hex(md4(data)), digest, `length ${n}`);
  });
});

// Found once per file: node:crypto if its OpenSSL has MD4, else the openssl command.
const md4Oracle = findMd4Oracle();

t.test(
  'MD4 of random data agrees with an independent MD4 found at test time',
  { skip: md4Oracle ? false : 'no independent MD4 here: neither node:crypto nor `openssl -provider legacy` has it' },
  async (t) => {
    const oracle = md4Oracle!;
    t.comment(`oracle: ${oracle.name}`);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => hex(md4(data)) === hex(oracle.digest(data))),
      { numRuns: oracle.name.startsWith('node') ? 500 : 60 },
    );
    t.pass(`random inputs agree with ${oracle.name}`);
  },
);
