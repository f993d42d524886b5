// Crypto throughput on this machine, native next to OpenSSL in the same run: RC4, SHA-1 and
// MPPE-128 (stateful, stateless) at 64, 576 and 1400-byte packets. Native figures are the C
// loops inside the addon (no JavaScript per packet, as in the native data plane); OpenSSL's are
// `openssl speed -evp ... -bytes N` for RC4 and SHA-1, and bench/openssl-mppe.c (MPPE composed
// from libcrypto's RC4 and SHA-1, the same loop shape) for all four.
// Run: make bench-crypto
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { cpuFeatures, cryptoBenchmark, sha1Active, type CryptoBenchmarkKind } from '../src/crypto/native-crypto.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = here.endsWith(join('dist', 'bench')) ? join(here, '..', '..') : join(here, '..');
const sizes = [64, 576, 1400];
const kinds: readonly CryptoBenchmarkKind[] = ['rc4', 'sha1', 'mppe-stateful', 'mppe-stateless'];
const targetSeconds = 0.25;

/** Best of three timed runs, each sized to about targetSeconds. Returns bytes per second. */
function measure(time: (count: number) => number, size: number): number {
  let count = 2000;
  let t = time(count);
  while (t < 0.02) {
    count *= 8;
    t = time(count);
  }
  count = Math.max(1, Math.round((count * targetSeconds) / t));
  let best = Infinity;
  for (let i = 0; i < 3; i++) best = Math.min(best, time(count) / count);
  return size / best;
}

function opensslSpeed(evp: 'rc4' | 'sha1', size: number): number {
  const args = ['speed', '-evp', evp, '-bytes', String(size), '-seconds', '1'];
  if (evp === 'rc4') args.push('-provider', 'legacy', '-provider', 'default');
  const out = execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = out.match(new RegExp(`^${evp}\\s+([0-9.]+)k`, 'im'));
  if (!m) throw new Error(`cannot read openssl speed output for ${evp}:\n${out}`);
  return Number(m[1]) * 1000;
}

function buildOpensslLoop(): string {
  const dir = join(root, '.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, 'openssl-mppe');
  execFileSync('gcc', ['-O2', '-o', exe, join(root, 'bench', 'openssl-mppe.c'), '-lcrypto']);
  return exe;
}

const mb = (bps: number): string => (bps / 1e6).toFixed(0).padStart(6);
const exe = buildOpensslLoop();
console.log(`CPU features: ${cpuFeatures().join(' ')}; SHA-1 implementation: ${sha1Active()}`);
console.log('kind            bytes  native MB/s  OpenSSL MB/s  ratio  | openssl speed MB/s  ratio | native ns/packet');
for (const kind of kinds) {
  for (const size of sizes) {
    const native = measure((n) => cryptoBenchmark(kind, size, n), size);
    const loop = measure((n) => Number(execFileSync(exe, [kind, String(size), String(n)], { encoding: 'utf8' })), size);
    let speedCol = '                          ';
    if (kind === 'rc4' || kind === 'sha1') {
      const speed = opensslSpeed(kind, size);
      speedCol = `${mb(speed).padStart(18)}  ${(native / speed).toFixed(2).padStart(5)}`;
    }
    const nsPerPacket = (size / native) * 1e9;
    console.log(
      `${kind.padEnd(15)} ${String(size).padStart(5)}  ${mb(native).padStart(11)}  ${mb(loop).padStart(12)}  ${(native / loop).toFixed(2).padStart(5)}  | ${speedCol} | ${nsPerPacket.toFixed(0).padStart(8)}`,
    );
  }
}

// Multi-buffer (issue 13 item 3): two streams interleaved against one at a time, per core.
// Runs alternate so that a neighbour's load on this shared machine hits both alike.
console.log('\nmulti-buffer        bytes  one at a time MB/s  two interleaved MB/s  ratio');
for (const [single, pair] of [['rc4', 'rc4-x2'], ['mppe-stateless', 'mppe-stateless-x2']] as const) {
  for (const size of sizes) {
    let one = 0;
    let two = 0;
    for (let round = 0; round < 3; round++) {
      one = Math.max(one, measure((n) => cryptoBenchmark(single, size, n), size));
      two = Math.max(two, measure((n) => cryptoBenchmark(pair, size, n), size));
    }
    console.log(`${pair.padEnd(18)} ${String(size).padStart(5)}  ${mb(one).padStart(18)}  ${mb(two).padStart(20)}  ${(two / one).toFixed(2).padStart(5)}`);
  }
}
