import t from 'tap';
import fc from 'fast-check';
import { desEncrypt, desEncryptBlock, expandDesKey } from '../../src/crypto/des.js';
import { findDesOracle } from './oracles.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

t.test('DES encrypts published FIPS/NBS vectors', async (t) => {
  const vectors: Array<[string, string, string, string]> = [
    // The classic worked example of the DES standard's key schedule and rounds.
    ['133457799BBCDFF1', '0123456789ABCDEF', '85E813540F0AB405', 'worked example'],
    // FIPS 81 appendix B, ECB: "Now is t" under 0123456789ABCDEF.
    ['0123456789ABCDEF', '4E6F772069732074', '3FA40E8A984D4815', 'FIPS 81 ECB example'],
    // NBS SP 500-20 / NIST SP 800-17 known-answer tests.
    ['0101010101010101', '8000000000000000', '95F8A5E5DD31D900', 'variable plaintext, bit 1'],
    ['0101010101010101', '0000000000000001', '166B40B44ABA4BD6', 'variable plaintext, bit 64'],
    ['8001010101010101', '0000000000000000', '95A8D72813DAA94D', 'variable key, bit 1'],
    ['0E329232EA6D0D73', '8787878787878787', '0000000000000000', 'a key that maps 87.. to zero'],
  ];
  for (const [key, plain, cipher, what] of vectors) t.equal(hex(desEncryptBlock(h(key), h(plain))), cipher, what);
});

t.test('a 7-octet key spreads over 8 octets with odd parity in the low bits (RFC 2759 8.6)', async (t) => {
  // 133457799BBCDFF1 has odd parity already; its 56 key bits packed are 12695BC9B7B7F8.
  t.equal(hex(expandDesKey(h('12695BC9B7B7F8'))), '133457799BBCDFF1');
  t.equal(hex(expandDesKey(h('00000000000000'))), '0101010101010101');
  t.equal(hex(expandDesKey(h('FFFFFFFFFFFFFF'))), 'FEFEFEFEFEFEFEFE');
  t.equal(hex(desEncrypt(h('12695BC9B7B7F8'), h('0123456789ABCDEF'))), '85E813540F0AB405');
  t.throws(() => expandDesKey(h('00')), RangeError);
  t.throws(() => desEncryptBlock(h('0101010101010101'), h('00')), RangeError);
});

t.test('DES ignores the parity bits of the 8-octet key', async (t) => {
  const plain = h('0123456789ABCDEF');
  const flipped = Buffer.from(h('133457799BBCDFF1').map((b) => b ^ 1));
  t.equal(hex(desEncryptBlock(flipped, plain)), '85E813540F0AB405');
});

// Found once per file: node:crypto if its OpenSSL has DES, else the openssl command.
const desOracle = findDesOracle();

t.test(
  'DES of random keys and blocks agrees with an independent DES found at test time',
  { skip: desOracle ? false : 'no independent DES here: neither node:crypto nor `openssl -provider legacy` has it' },
  async (t) => {
    const oracle = desOracle!;
    t.comment(`oracle: ${oracle.name}`);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 7, maxLength: 7 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), (key7, block) =>
        hex(desEncrypt(key7, block)) === hex(oracle.encrypt(expandDesKey(key7), block)),
      ),
      { numRuns: oracle.name.startsWith('node') ? 300 : 40 },
    );
    t.pass(`random keys and blocks agree with ${oracle.name}`);
  },
);
