// /system package update install without a VM: the signed update file format, and the checks
// that must refuse a bad file before anything is written (a regular file stands in for the
// inactive slot's block device; the boot partition and /run are temporary directories).
import t, { type Test } from 'tap';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Firmware, formatSlotState, parseSlotState } from '../../src/system/firmware.js';
import { emitUpdateHead, parseUpdate } from '../../src/wire/update-file.js';
import { createHash } from 'node:crypto';

const vendor = generateKeyPairSync('ed25519');

function updateFile(payload: Buffer, o: { board?: string; version?: string; key?: KeyObject } = {}): Buffer {
  const head = emitUpdateHead(
    { board: o.board ?? 'qemu-virt', version: o.version ?? '0.2.0', size: payload.length, sha256: createHash('sha256').update(payload).digest('hex') },
    (d) => sign(null, d, o.key ?? vendor.privateKey),
  );
  return Buffer.concat([head, payload]);
}

function board(t: Test): { fw: Firmware; dir: string; slotB: string; state: () => string; data: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fw-upd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const d of ['boot/ab', 'run', 'data']) mkdirSync(join(dir, d), { recursive: true });
  const slotA = join(dir, 'slot-a');
  const slotB = join(dir, 'slot-b');
  writeFileSync(slotA, Buffer.alloc(4096, 1));
  writeFileSync(slotB, Buffer.alloc(4096, 0));
  writeFileSync(join(dir, 'run', 'env'), `AB_SLOT=a\nAB_TRYING=0\nAB_VERSION=0.1.0\nAB_ROLLEDBACK=\nAB_DEV_A=${slotA}\nAB_DEV_B=${slotB}\n`);
  writeFileSync(join(dir, 'boot/ab/state'), 'active=a\ntry=\ntries=0\nversion_a=0.1.0\nversion_b=\nrolledback=\n');
  writeFileSync(join(dir, 'boot/ab/board'), 'qemu-virt\n');
  const fw = new Firmware({ env: join(dir, 'run', 'env'), boot: join(dir, 'boot'), run: join(dir, 'run') }, vendor.publicKey);
  return { fw, dir, slotB, state: () => readFileSync(join(dir, 'boot/ab/state'), 'utf8'), data: join(dir, 'data') };
}

t.test('the head round-trips and names what is wrong with a bad one', async (t) => {
  const file = updateFile(randomBytes(1000));
  const p = parseUpdate(file, file.length);
  if (typeof p === 'string') return t.fail(p);
  t.equal(p.head.version, '0.2.0');
  t.equal(p.head.board, 'qemu-virt');
  t.equal(p.payloadOffset + p.head.size, file.length);
  t.match(parseUpdate(file.subarray(0, file.length - 1), file.length - 1), /^update file is truncated: \d+ bytes, the head announces \d+$/);
  t.match(parseUpdate(file.subarray(0, 40), 40), /truncated \(head\)/);
  t.match(parseUpdate(Buffer.from('hello world, not an update'), 26), /bad magic/);
  t.match(parseUpdate(Buffer.concat([file, Buffer.alloc(3)]), file.length + 3), /3 bytes after its payload/);
});

t.test('a good update is written to the inactive slot and tried once at the next boot', async (t) => {
  const b = board(t);
  const payload = randomBytes(3000);
  const f = join(b.data, 'good.upd');
  writeFileSync(f, updateFile(payload));
  const steps: string[] = [];
  const r = b.fw.install(f, (l) => steps.push(l));
  t.ok(r.ok, r.line);
  t.match(r.line, /installed version 0\.2\.0 in slot b/);
  t.same(readFileSync(b.slotB).subarray(0, payload.length), payload, 'slot b holds the payload');
  t.notOk(existsSync(f), 'the installed update file is removed from the data partition');
  t.same(parseSlotState(b.state()), { active: 'a', try: 'b', tries: 1, version_a: '0.1.0', version_b: '0.2.0', rolledback: '' }, 'state: b on trial for one boot');
  t.notOk(r.tryboot, 'no tryboot.txt: the initrd counter (qemu-virt)');
  t.same(b.fw.packages(), [
    { slot: 'a', version: '0.1.0', status: 'running' },
    { slot: 'b', version: '0.2.0', status: 'installed, tried at next boot' },
  ]);
  t.equal(b.fw.requestReboot(false), undefined);
  t.equal(readFileSync(join(b.dir, 'run', 'reboot'), 'utf8'), 'normal\n', 'reboot requested from routerd-reboot.path');
});

t.test('on a Pi (tryboot.txt) the firmware tryboot flag gives the trial boot', async (t) => {
  const b = board(t);
  writeFileSync(join(b.dir, 'boot', 'tryboot.txt'), 'cmdline=cmdline-tryboot.txt\n');
  const f = join(b.data, 'good.upd');
  writeFileSync(f, updateFile(randomBytes(100)));
  const r = b.fw.install(f);
  t.ok(r.ok && r.tryboot, 'install asks for reboot 0 tryboot');
  t.equal(parseSlotState(b.state()).tries, 0, 'no initrd counter: the firmware boots tryboot.txt once');
  b.fw.requestReboot(true);
  t.equal(readFileSync(join(b.dir, 'run', 'reboot'), 'utf8'), 'tryboot\n');
});

t.test('bad files are refused with one line and change nothing', async (t) => {
  const b = board(t);
  const payload = randomBytes(3000);
  const good = updateFile(payload);
  const other = generateKeyPairSync('ed25519');
  const corrupt = Buffer.from(good);
  corrupt[corrupt.length - 10]! ^= 0xff;
  const cases: [string, Buffer, RegExp][] = [
    ['wrongly signed', updateFile(payload, { key: other.privateKey }), /not signed by the vendor key/],
    ['for another board', updateFile(payload, { board: 'raspberrypi4' }), /for board raspberrypi4, this is qemu-virt/],
    ['truncated', good.subarray(0, good.length - 100), /truncated/],
    ['corrupted payload', corrupt, /corrupt \(payload hash/],
    ['not an update', randomBytes(500), /not an update file/],
  ];
  const before = b.state();
  for (const [what, bytes, why] of cases) {
    const f = join(b.data, 'x.upd');
    writeFileSync(f, bytes);
    const r = b.fw.install(f);
    t.notOk(r.ok, `${what}: refused`);
    t.match(r.line, why, `${what}: ${r.line}`);
    t.match(r.line, /^failure: [^\n]+; nothing was changed$/, `${what}: one line`);
    t.equal(b.state(), before, `${what}: slot state unchanged`);
    t.same(readFileSync(b.slotB), Buffer.alloc(4096, 0), `${what}: slot b untouched`);
  }
  t.match(b.fw.install(join(b.data, 'missing.upd')).line, /no such update file/);
  t.equal(formatSlotState(parseSlotState(before)), before, 'state file format round-trips');
});
