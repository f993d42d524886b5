import t from 'tap';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';

import { nativeAddonPath } from '../../src/native.js';

import {
  cpuFeatures,
  sha1,
  sha1Active,
  sha1Available,
  sha1Force,
  sha1Implementations,
} from '../../src/crypto/native-crypto.js';
// fewer fast-check cases under qemu-user (test/arm64/), where each one runs emulated
const propertyRuns = Number(process.env.PPTP_CRYPTO_TEST_RUNS ?? '200');

// FIPS 180-2 appendix A examples
const fips: ReadonlyArray<[string, Buffer, string]> = [
  ['"abc"', Buffer.from('abc'), 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  [
    'the 448-bit message',
    Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
  ],
  ['one million "a"', Buffer.alloc(1_000_000, 'a'), '34aa973cd4c4daa4f61eeb2bdbad27316534016f'],
  ['the empty message', Buffer.alloc(0), 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
];

const atLoad = sha1Active();
const available = sha1Available();
t.comment(`CPU features: ${cpuFeatures().join(' ') || '(none reported)'}`);
t.comment(`SHA-1 implementations compiled: ${sha1Implementations().map((i) => `${i.name}${i.available ? '' : ' (not on this CPU)'}`).join(', ')}`);
t.comment(`SHA-1 chosen at load: ${atLoad}${process.env.PPTP_SHA1_IMPL ? ` (PPTP_SHA1_IMPL=${process.env.PPTP_SHA1_IMPL})` : ''}`);
t.teardown(() => sha1Force(atLoad));

t.test('the implementation chosen at load is one this CPU can run (and the forced one when PPTP_SHA1_IMPL is set)', async (t) => {
  t.ok(available.includes(atLoad));
  t.ok(available.includes('generic'), 'the portable implementation is always available');
  if (process.env.PPTP_SHA1_IMPL) t.equal(atLoad, process.env.PPTP_SHA1_IMPL);
});

for (const impl of available) {
  t.test(`SHA-1 "${impl}" gives the FIPS 180 digests and agrees with node:crypto`, async (t) => {
    sha1Force(impl);
    t.equal(sha1Active(), impl);
    t.comment(`ran: ${impl}`);
    for (const [name, msg, digest] of fips) t.equal(sha1(msg).toString('hex'), digest, name);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) =>
        sha1(data).equals(createHash('sha1').update(data).digest()),
      ),
      { numRuns: propertyRuns },
    );
    // every length across the block and padding boundaries
    for (let n = 0; n <= 200; n++) {
      const m = Buffer.alloc(n, n & 0xff);
      if (!sha1(m).equals(createHash('sha1').update(m).digest())) t.fail(`length ${n}`);
    }
    sha1Force(atLoad); // later tests (MPPE, also in the same process on arm64) use the load-time choice
  });
}

t.test('every SHA-1 implementation this CPU can run gives the same digest as every other (differential)', async (t) => {
  t.comment(`compared: ${available.join(', ')}`);
  const digests = (data: Uint8Array): string[] =>
    available.map((impl) => {
      sha1Force(impl);
      return sha1(data).toString('hex');
    });
  try {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), (data) => new Set(digests(data)).size === 1),
      { numRuns: propertyRuns },
    );
    // many blocks in one call: the multi-block loops, not only the padding block
    const long = Buffer.from(Array.from({ length: 64 * 40 + 17 }, (_, i) => (i * 131 + 7) & 0xff));
    t.equal(new Set(digests(long)).size, 1, '40 blocks and a tail');
  } finally {
    sha1Force(atLoad);
  }
});

t.test('forcing an implementation that is unknown or not runnable here throws', async (t) => {
  t.throws(() => sha1Force('no-such' as never), /unknown/);
  for (const i of sha1Implementations()) {
    if (!i.available) t.throws(() => sha1Force(i.name), /cannot run/);
  }
});

t.test('loading the addon with PPTP_SHA1_IMPL naming an implementation this CPU cannot run fails loudly', async (t) => {
  if (process.arch !== 'x64') {
    // under qemu-user (test/arm64/) a child Node would need binfmt_misc; the x86-64 run covers it
    t.comment(`checked on x64 only (this is ${process.arch})`);
    return;
  }
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(nativeAddonPath())})`], {
    env: { ...process.env, PPTP_SHA1_IMPL: 'armv8ce', NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  t.not(r.status, 0);
  t.match(r.stderr, /PPTP_SHA1_IMPL=armv8ce is not an implementation this CPU can run/);
});
