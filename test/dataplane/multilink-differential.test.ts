// The MP fragmenter and reassembler in C (native/src/dataplane/multilink.c) against the
// TypeScript ones (src/wire/multilink.ts): the same packets, MTUs and fragment streams (with
// losses, duplicates, truncations and clock jumps) must give the same fragments, the same
// reassembled packets and the same drop counts. The C side runs in a small driver compiled here.
import t from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { MpFragmenter, MpReassembler, type MpDropReason } from '../../src/wire/multilink.js';
import { seededRandom } from '../ppp/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mp-diff-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const driver = join(dir, 'driver');
execFileSync('cc', ['-O1', '-Wall', '-Werror', '-o', driver, join(here, 'multilink-driver.c'), join(here, '../../native/src/dataplane/multilink.c')]);

const child = spawn(driver, [], { stdio: ['pipe', 'pipe', 'inherit'] });
t.teardown(() => child.kill());
const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
async function ask(command: string): Promise<string> {
  child.stdin!.write(`${command}\n`);
  const next = await lines.next();
  return next.value as string;
}

const REASONS: readonly MpDropReason[] = ['lost-fragment', 'too-long', 'timeout', 'malformed'];

for (const short of [false, true]) {
  t.test(`${short ? 'short' : 'long'} sequence numbers: fragments and reassembly agree`, async (t) => {
    const rng = seededRandom(short ? 11 : 7);
    const int = (n: number) => Math.floor(rng.next() * n);
    const frag = new MpFragmenter(short);
    const limits = { maxPacket: 1602, maxFragments: 8, timeoutMs: 1000 };
    const re = new MpReassembler(short, limits);
    t.equal(await ask(`I ${short ? 1 : 0} ${limits.maxPacket} ${limits.maxFragments} ${limits.timeoutMs}`), 'ok');
    const drops = { 'lost-fragment': 0, 'too-long': 0, timeout: 0, malformed: 0 } as Record<MpDropReason, number>;
    let now = 0;
    let packets = 0;
    let mismatches = 0;
    for (let i = 0; i < 400; i++) {
      const size = [1, 40, 1400, 1500, 1506, 1602, 1700, 4000][int(8)]!;
      const packet = rng.bytes(size);
      const mtu = [200, 700, 1000, 1450, 1460][int(5)]!;
      const ours = frag.fragment(packet, mtu).map((b) => b.toString('hex'));
      const theirs = (await ask(`F ${short ? 1 : 0} ${mtu} ${packet.toString('hex')}`)).split(' ');
      if (ours.join(' ') !== theirs.join(' ')) mismatches++;
      if (ours.some((f) => f.length / 2 > mtu)) mismatches++; // a fragment larger than the MTU
      for (const hexFragment of ours) {
        const roll = rng.next();
        if (roll < 0.05) continue; // lost
        now += roll < 0.08 ? 1500 : int(30); // sometimes the clock jumps past the timeout
        let bytes = Buffer.from(hexFragment, 'hex');
        if (roll > 0.97) bytes = bytes.subarray(0, int(4)); // truncated
        const copies = roll > 0.95 && roll <= 0.97 ? 2 : 1; // duplicated
        for (let c = 0; c < copies; c++) {
          const r = re.receive(bytes, now);
          for (const d of r.dropped) drops[d]++;
          const mine = `${r.packets.length > 0 ? `P ${r.packets[0]!.toString('hex')}` : '-'} D ${REASONS.map((x) => drops[x]).join(' ')}`;
          const other = await ask(`R ${now} ${bytes.toString('hex')}`);
          if (mine !== other) mismatches++;
          if (r.packets.length > 0) packets++;
        }
      }
      if (rng.next() < 0.05) {
        now += 2000;
        const expired = re.expire(now);
        for (const d of expired) drops[d]++;
        const mine = expired.length > 0 ? '1' : '0';
        if ((await ask(`E ${now}`)) !== mine) mismatches++;
      }
    }
    t.equal(mismatches, 0, 'C and TypeScript agree on every fragment, packet and counter');
    t.ok(packets > 100, `${packets} packets reassembled`);
    for (const reason of REASONS.slice(0, 3)) t.ok(drops[reason] > 0, `the stream exercised ${reason} (${drops[reason]})`);
  });
}
