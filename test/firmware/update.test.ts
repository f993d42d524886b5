// A/B system updates on the qemu-virt image, in one QEMU that reboots as the board does:
//   boot 1 (version N):  refuses a wrongly signed, a corrupted, a truncated update file and one
//                        for another board, each with one line; fetches N+1 with
//                        /tool fetch from a web server on the "internet" segment and installs it
//                        with /system package update install, which reboots;
//   boot 2 (N+1, trial): the configuration typed in boot 1 is there; ab-confirm makes slot b
//                        the active one; N+2 (whose routerd cannot start) is installed;
//   boot 3 (N+2, trial): routerd fails; ab-confirm reboots by itself;
//   boot 4:              the initrd returns to N+1, and the console says so at login.
// Update files are made from the root `make image` left in out/build/qemu-virt (N+1: the same
// slot image under a new version; N+2: the root with a drop-in that breaks routerd.service).
import t from 'tap';
import { access, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createNetns, createVethPair, exec, run, uniqueName, waitFor } from '../lib/netns.js';
import { extractBootFiles, QemuVirt } from './qemu-virt.js';
import type { SerialSession } from './serial-session.js';

const board = 'qemu-virt';
const image = resolve(process.env.BOOT_TEST_IMAGE ?? `out/pptp-router-${board}.img`);
const build = resolve(`out/build/${board}`);
const BOOT_TIMEOUT = 600_000;
const CMD_TIMEOUT = 120_000;
const PROMPT = /\[admin@([^\]\r\n]+)\][^\r\n>]*>/;
const HTTP = '198.18.7.2';

async function why(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, taps)';
  for (const f of [image, join(build, 'slot.squashfs'), join(build, 'version'), join(build, 'root')]) {
    try {
      await access(f, constants.R_OK);
    } catch {
      return `${f} not built (run: make image BOARD=${board})`;
    }
  }
  for (const tool of ['qemu-system-aarch64', 'mcopy', 'mksquashfs', 'python3']) {
    if ((await exec(['which', tool])).code !== 0) return `${tool} not installed (tools/debian-packages/firmware.txt)`;
  }
  return undefined;
}

async function login(c: SerialSession): Promise<{ prompt: string; banner: string }> {
  await c.waitFor(/Login:/, BOOT_TIMEOUT);
  c.sendLine('admin');
  await c.waitFor(/Password:/, 10_000).catch(() => undefined);
  c.sendLine('');
  const m = await c.waitFor(PROMPT, CMD_TIMEOUT);
  return { prompt: m[1]!, banner: c.lastBefore };
}

async function command(c: SerialSession, line: string, timeout = CMD_TIMEOUT): Promise<string> {
  c.sendLine(line);
  await c.waitFor(/\r?\n/, timeout);
  await c.waitFor(PROMPT, timeout);
  return c.lastBefore;
}

async function poll(c: SerialSession, line: string, want: RegExp, timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  let out = '';
  while (Date.now() < end) {
    out = await command(c, line);
    if (want.test(out)) return out;
    await new Promise((r) => setTimeout(r, 3000));
  }
  return out;
}

t.test('qemu-virt A/B update: N -> N+1 over the console, a broken N+2 rolls back to N+1 by itself', async (t) => {
  const skip = await why();
  if (skip) {
    t.plan(0, skip);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), `fw-upd-${process.pid}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const www = join(dir, 'www');
  await mkdir(www);
  const n = (await readFile(join(build, 'version'), 'utf8')).trim();
  const n1 = `${n}+u1`;
  const n2 = `${n}+u2`;

  // ---- update files ----------------------------------------------------------------------
  const started = Date.now();
  await run(['bash', 'firmware/update-file.sh', board, n1, join(www, `pptp-router-${n1}.upd`)]);
  const broken = join(dir, 'broken');
  await mkdir(join(broken, 'etc/systemd/system/routerd.service.d'), { recursive: true });
  await writeFile(join(broken, 'etc/systemd/system/routerd.service.d/broken.conf'), '[Service]\nExecStart=\nExecStart=/bin/false\n');
  await run(['bash', 'firmware/update-file.sh', board, n2, join(www, `pptp-router-${n2}.upd`), 'firmware/keys/dev-vendor.pem', broken]);
  // Small stand-ins for the refusals: a 1 MiB payload signed by another key, and one signed by
  // the vendor key whose payload was changed afterwards.
  const small = join(dir, 'small.bin');
  await writeFile(small, randomBytes(1 << 20));
  const other = generateKeyPairSync('ed25519');
  const otherKey = join(dir, 'other.pem');
  await writeFile(otherKey, other.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await run(['node', 'dist/tools/update-file.js', '--key', otherKey, '--board', board, '--version', '9.9.9', '--payload', small, '--out', join(www, 'badsig.upd')]);
  await run(['node', 'dist/tools/update-file.js', '--key', 'firmware/keys/dev-vendor.pem', '--board', board, '--version', '9.9.8', '--payload', small, '--out', join(www, 'corrupt.upd')]);
  const bytes = await readFile(join(www, 'corrupt.upd'));
  bytes[bytes.length - 5]! ^= 0x55;
  await writeFile(join(www, 'corrupt.upd'), bytes);
  // Vendor-signed and intact, but for the Pi 4; and a good file cut short (a broken download).
  await run(['node', 'dist/tools/update-file.js', '--key', 'firmware/keys/dev-vendor.pem', '--board', 'raspberrypi4', '--version', '9.9.7', '--payload', small, '--out', join(www, 'board.upd')]);
  await run(['node', 'dist/tools/update-file.js', '--key', 'firmware/keys/dev-vendor.pem', '--board', board, '--version', '9.9.6', '--payload', small, '--out', join(dir, 'whole.upd')]);
  const whole = await readFile(join(dir, 'whole.upd'));
  await writeFile(join(www, 'truncated.upd'), whole.subarray(0, whole.length >> 1));
  t.comment(`update files made in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const disk = join(dir, 'disk.img');
  await copyFile(image, disk);
  const boot = await extractBootFiles(image, dir);
  t.match(boot.cmdline, /boot=ab/, 'the initrd chooses the system slot');

  // q: QEMU and its taps; web: the HTTP server on the ether1 segment ("internet" side).
  const q = await createNetns(t, 'fuq');
  const web = await createNetns(t, 'fuw');
  const taps: string[] = [];
  const bridges: string[] = [];
  for (let i = 0; i < 2; i++) {
    const tap = uniqueName('fut');
    const br = uniqueName('fub');
    await q.run(['ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
    await q.run(['ip', 'link', 'add', br, 'type', 'bridge']);
    await q.run(['ip', 'link', 'set', tap, 'master', br]);
    for (const d of [tap, br]) await q.run(['ip', 'link', 'set', d, 'up']);
    taps.push(tap);
    bridges.push(br);
  }
  const [vq] = await createVethPair(q, web, { addrB: `${HTTP}/24` });
  await q.run(['ip', 'link', 'set', vq, 'master', bridges[0]!]);
  const server = web.spawn('python3', ['-m', 'http.server', '8080', '--bind', HTTP, '--directory', www]);
  server.stdout?.resume();
  server.stderr?.resume();

  const vm = await QemuVirt.start(q, { image: disk, boot, taps: [taps[0]!, taps[1]!], serialSocket: join(dir, 'uart.sock'), reboot: true });
  t.teardown(async () => {
    await mkdir('out', { recursive: true });
    await writeFile(join('out', 'update-test-console.log'), vm.console.transcript);
    await vm.powerCut();
  });
  const c = vm.console;
  const at = (): string => ((Date.now() - vm.startedAt) / 1000).toFixed(0);

  // ---- boot 1: version N ------------------------------------------------------------------
  const b1 = await login(c);
  t.comment(`boot 1 at ${at()} s`);
  t.match(b1.banner, new RegExp(`system version ${n.replace(/[.+]/g, '\\$&')} running from slot a`), 'login says which version runs');
  t.match(await command(c, '/system resource print'), new RegExp(`version: ${n.replace(/[.+]/g, '\\$&')}`), '/system resource shows the running version');
  const p1 = await command(c, '/system package print');
  t.match(p1, /a\s+\S+\s+running/, `slot a runs\n${p1}`);
  t.match(p1, /b\s+empty/, 'slot b ships empty');
  t.match(await command(c, '/system routerboard print'), /board-name: qemu-virt[^]*current-firmware: /, '/system routerboard print');
  await command(c, '/system identity set name=fwupdate');
  await command(c, '/ip address add address=198.18.7.1/24 interface=ether1');
  // The address is applied a moment after the console answers: fetch once ether1 answers.
  t.ok(await waitFor(async () => (await web.exec(['ping', '-c1', '-W1', '198.18.7.1'])).code === 0, 60_000, 1000), 'ether1 reaches the web server');

  const refusals = [
    ['badsig.upd', /not signed by the vendor key/],
    ['corrupt.upd', /corrupt/],
    ['board.upd', /for board raspberrypi4, this is qemu-virt/],
    ['truncated.upd', /truncated/],
  ] as const;
  for (const [file, why] of refusals) {
    t.match(await command(c, `/tool fetch url=http://${HTTP}:8080/${file}`), /status: finished/, `fetched ${file}`);
    const out = await command(c, `/system package update install file=${file}`);
    t.match(out, why, `${file} refused: ${out.trim()}`);
    t.match(out, /nothing was changed/);
    t.equal(out.trim().split(/\r?\n/).length, 1, `${file}: one line`);
  }
  t.match(await command(c, '/system package print'), /b\s+empty/, 'after the refusals slot b is still empty');

  const f1 = `pptp-router-${n1}.upd`;
  t.match(await command(c, `/tool fetch url=http://${HTTP}:8080/${f1}`, 300_000), /status: finished/, `fetched ${f1}`);
  c.sendLine(`/system package update install file=${f1}`);
  await c.waitFor(new RegExp(`installed version ${n1.replace(/[.+]/g, '\\$&')} in slot b`), 300_000);
  await c.waitFor(/rebooting/, CMD_TIMEOUT);
  t.pass('N+1 installed into slot b; the board reboots');

  // ---- boot 2: N+1 on trial ---------------------------------------------------------------
  const b2 = await login(c);
  t.comment(`boot 2 at ${at()} s`);
  t.match(b2.banner, new RegExp(`system version ${n1.replace(/[.+]/g, '\\$&')} running from slot b`), 'N+1 runs from slot b');
  t.equal(b2.prompt, 'fwupdate', 'configuration intact: identity');
  t.match(await command(c, '/ip address print'), /198\.18\.7\.1\/24/, 'configuration intact: address');
  const p2 = await poll(c, '/system package print', /b\s+\S+\s+running\s*(\r?\n|$)/, 200_000);
  t.match(p2, /b\s+\S+\s+running\s*(\r?\n|$)/, `ab-confirm made slot b the active one (routerd healthy)\n${p2}`);

  const f2 = `pptp-router-${n2}.upd`;
  t.ok(await waitFor(async () => (await web.exec(['ping', '-c1', '-W1', '198.18.7.1'])).code === 0, 60_000, 1000), 'ether1 up again with the kept address');
  t.match(await command(c, `/tool fetch url=http://${HTTP}:8080/${f2}`, 300_000), /status: finished/, `fetched ${f2}`);
  c.sendLine(`/system package update install file=${f2}`);
  await c.waitFor(/installed version \S+ in slot a/, 300_000);
  t.pass('N+2 (routerd broken) installed into slot a; the board reboots');

  // ---- boots 3 and 4: N+2 fails, the board comes back on N+1 by itself --------------------
  const b4 = await login(c);
  t.comment(`back on a console at ${at()} s`);
  t.match(b4.banner, new RegExp(`update to version ${n2.replace(/[.+]/g, '\\$&')} failed its trial boot and was rolled back; version ${n1.replace(/[.+]/g, '\\$&')} runs`), 'login says the update was rolled back');
  t.equal(b4.prompt, 'fwupdate', 'configuration intact after the rollback');
  t.match(await command(c, '/system resource print'), new RegExp(`version: ${n1.replace(/[.+]/g, '\\$&')}`), 'N+1 runs');
  const p4 = await command(c, '/system package print');
  t.match(p4, /a\s+\S+\s+rolled back/, `slot a: rolled back\n${p4}`);
  t.match(p4, /b\s+\S+\s+running/, 'slot b: running');
});
