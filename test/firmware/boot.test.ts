// The firmware boot test (`make boot-test`): boots out/pptp-router-qemu-virt.img in
// qemu-system-aarch64 (TCG, Cortex-A72) with its two NICs on taps in namespaces created here,
// logs in on the serial console, configures the router, pulls the plug in the middle of a
// configuration write, boots again and checks that the configuration survived.
// Skipped (with the reason) when the image has not been built or the host cannot run it.
import t from 'tap';
import { access, copyFile, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createNetns, createVethPair, exec, uniqueName, waitFor, type Netns } from '../lib/netns.js';
import { extractBootFiles, QemuVirt, type BootFiles } from './qemu-virt.js';
import { type SerialSession } from './serial-session.js';

const image = resolve(process.env.BOOT_TEST_IMAGE ?? 'out/pptp-router-qemu-virt.img');
const BOOT_TIMEOUT = 300_000;
const CMD_TIMEOUT = 60_000;
const PROMPT = /\[admin@([^\]\r\n]+)\][^\r\n>]*>/;

async function why(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, taps)';
  try {
    await access(image, constants.R_OK);
  } catch {
    return `${image} not built (run: make image BOARD=qemu-virt)`;
  }
  for (const tool of ['qemu-system-aarch64', 'mcopy']) {
    if ((await exec(['which', tool])).code !== 0) return `${tool} not installed (tools/debian-packages/firmware.txt)`;
  }
  return undefined;
}

/** Whether the image's daemon includes src/router (which applies addresses to the NICs). */
async function imageHasRouter(img: string): Promise<boolean> {
  const fh = await open(img, 'r');
  let rootOffset: number;
  try {
    const mbr = Buffer.alloc(512);
    await fh.read(mbr, 0, 512, 0);
    rootOffset = mbr.readUInt32LE(446 + 16 + 8) * 512;
  } finally {
    await fh.close();
  }
  const r = await exec(['debugfs', '-R', 'stat /opt/routerd/dist/src/router/index.js', `${img}?offset=${rootOffset}`]);
  return /Type: regular/.test(r.stdout);
}

/** Two L2 segments: tap <-> bridge (in q) <-> veth <-> a host namespace with `addr`. */
async function segment(q: Netns, host: Netns, addr: string): Promise<string> {
  const tap = uniqueName('fwt');
  const br = uniqueName('fwb');
  await q.run(['ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  await q.run(['ip', 'link', 'add', br, 'type', 'bridge']);
  const [vq] = await createVethPair(q, host, { addrB: addr });
  for (const dev of [tap, vq]) await q.run(['ip', 'link', 'set', dev, 'master', br]);
  for (const dev of [tap, br]) await q.run(['ip', 'link', 'set', dev, 'up']);
  return tap;
}

/** Waits for Login:, logs in as admin with the empty password; returns the prompt's identity. */
async function login(c: SerialSession, seen?: () => void): Promise<string> {
  await c.waitFor(/Login:/, BOOT_TIMEOUT);
  seen?.();
  c.sendLine('admin');
  // The password is asked for with "Password:"; the empty default password is sent either way
  // (the prompt text may be swallowed with the echo, which mutes while a password is typed).
  await c.waitFor(/Password:/, 10_000).catch(() => undefined);
  c.sendLine('');
  return (await c.waitFor(PROMPT, CMD_TIMEOUT))[1]!;
}

/** Runs one console command; returns what it printed before the next prompt. */
async function command(c: SerialSession, line: string): Promise<string> {
  c.sendLine(line);
  await c.waitFor(/\r?\n/, CMD_TIMEOUT); // the echo of the line itself
  await c.waitFor(PROMPT, CMD_TIMEOUT);
  return c.lastBefore;
}

async function pings(ns: Netns, address: string, timeoutMs: number): Promise<boolean> {
  return waitFor(async () => (await ns.exec(['ping', '-c1', '-W1', address])).code === 0, timeoutMs, 500);
}

t.test('qemu-virt image: boots to the console, keeps its configuration across a power cut', async (t) => {
  const skip = await why();
  if (skip) {
    t.plan(0, skip);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), `fw-boot-${process.pid}-`));
  // BOOT_TEST_KEEP=1 keeps the disk copy for a post-mortem (debugfs on its data partition).
  if (process.env.BOOT_TEST_KEEP !== '1') t.teardown(() => rm(dir, { recursive: true, force: true }));
  else t.comment(`disk copy kept in ${dir}`);
  // The test writes to the data partition: work on a copy, never on the built image.
  const disk = join(dir, 'disk.img');
  await copyFile(image, disk);
  const boot: BootFiles = await extractBootFiles(image, dir);
  const hasRouter = await imageHasRouter(image);
  t.match(boot.cmdline, /console=ttyAMA0/, 'the image boots with its console on the PL011 UART');

  const q = await createNetns(t, 'fwq');
  const lanA = await createNetns(t, 'fwa');
  const lanB = await createNetns(t, 'fwb');
  const taps: [string, string] = [await segment(q, lanA, '198.18.7.2/24'), await segment(q, lanB, '198.18.9.2/24')];
  const identity = `fw${process.pid}`;

  // Boot 1: first boot with an empty data partition.
  let vm = await QemuVirt.start(q, { image: disk, boot, taps, serialSocket: join(dir, 'uart1.sock') });
  t.teardown(() => vm.powerCut());
  const c1 = vm.console;
  // Both consoles' transcripts go to out/ for reading after a failure.
  const transcripts: SerialSession[] = [c1];
  t.teardown(async () => {
    await mkdir('out', { recursive: true });
    await writeFile(join('out', 'boot-test-console.log'), transcripts.map((c) => c.transcript).join('\n==== power cut, boot 2 ====\n'));
  });
  let bootSeconds = 0;
  const prompt1 = await login(c1, () => (bootSeconds = (Date.now() - vm.startedAt) / 1000)).catch((e: Error) => {
    throw new Error(`${e.message}\nQEMU: ${vm.qemuErrors}`);
  });
  t.comment(`boot to login (QEMU start -> "Login:"): ${bootSeconds.toFixed(1)} s`);
  t.ok(prompt1.length > 0, `logged in as admin (prompt identity "${prompt1}")`);

  t.match(await command(c1, '/system identity print'), /name:/, '/system identity print shows the name');
  const ethers = await command(c1, '/interface ethernet print');
  t.match(ethers, /ether1/, 'ether1 (virtio NIC in PCI slot 1) is listed');
  t.match(ethers, /ether2/, 'ether2 (virtio NIC in PCI slot 2) is listed');

  t.notMatch(await command(c1, '/ip address add address=198.18.7.1/24 interface=ether1'), /failure|error/i);
  t.notMatch(await command(c1, '/ip address add address=198.18.9.1/24 interface=ether2'), /failure|error/i);
  // Addresses reach the NICs through src/router (issue 5); until an image carries it, the
  // pings are reported as todo instead of failures.
  const routerTodo = hasRouter ? false : 'src/router is not in this image yet: addresses are configuration only';
  await t.test('ether1 and ether2 carry traffic', { todo: routerTodo }, async (t) => {
    t.ok(await pings(lanA, '198.18.7.1', 30_000), 'the router answers pings on ether1');
    t.ok(await pings(lanB, '198.18.9.1', 30_000), 'the router answers pings on ether2');
  });

  t.notMatch(await command(c1, `/system identity set name=${identity}`), /failure|error/i);
  t.match(await command(c1, '/system identity print'), new RegExp(`name:\\s*${identity}`), 'identity changed');

  // Power cut in the middle of a configuration write: the line is sent and QEMU is killed at
  // once, before the daemon can answer.
  c1.sendLine(`/system identity set name=${identity}x`);
  await new Promise((r) => setTimeout(r, 150));
  await vm.powerCut();

  // Boot 2: the configuration must be either the old or the new one, never lost or corrupt.
  vm = await QemuVirt.start(q, { image: disk, boot, taps, serialSocket: join(dir, 'uart2.sock') });
  const c2 = vm.console;
  transcripts.push(c2);
  let boot2 = 0;
  const prompt2 = await login(c2, () => (boot2 = (Date.now() - vm.startedAt) / 1000));
  t.comment(`second boot to login: ${boot2.toFixed(1)} s`);
  t.ok(prompt2 === identity || prompt2 === `${identity}x`, `identity survived the power cut (prompt "${prompt2}")`);
  const addrs = await command(c2, '/ip address print');
  t.match(addrs, /198\.18\.7\.1\/24/, 'ether1 address survived');
  t.match(addrs, /198\.18\.9\.1\/24/, 'ether2 address survived');
  await t.test('addresses applied again after the reboot', { todo: routerTodo }, async (t) => {
    t.ok(await pings(lanA, '198.18.7.1', 30_000), 'the router answers on ether1 again after the reboot');
  });
  await vm.powerCut();
});
