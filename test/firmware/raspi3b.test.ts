// The Raspberry Pi image in QEMU's closest Raspberry Pi model: QEMU 7.2 has no raspi4b, so the
// raspberrypi3 image's own kernel, initrd, device tree (bcm2837-rpi-3-b.dtb) and cmdline.txt
// boot on -M raspi3b, with the SD card image on the emulated SD controller and the console on
// the second UART (the mini-UART, ttyS1, as on real hardware). What this does not emulate: the
// Pi firmware (start.elf/config.txt are not run: QEMU loads the kernel itself), the Pi 4 SoC,
// and the NICs (QEMU has no model of the Pi 3's USB LAN chip).
// Skipped unless out/pptp-router-raspberrypi3.img exists (make image BOARD=raspberrypi3).
import t from 'tap';
import { access, copyFile, mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { constants } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exec, run } from '../lib/netns.js';
import { bootPartitionOffset } from './qemu-virt.js';
import { SerialSession } from './serial-session.js';

const image = resolve(process.env.RASPI_TEST_IMAGE ?? 'out/pptp-router-raspberrypi3.img');

t.test('raspberrypi3 image boots on QEMU raspi3b to the console login', async (t) => {
  try {
    await access(image, constants.R_OK);
  } catch {
    t.plan(0, `${image} not built (make image BOARD=raspberrypi3)`);
    return;
  }
  if ((await exec(['which', 'qemu-system-aarch64'])).code !== 0) {
    t.plan(0, 'qemu-system-aarch64 not installed');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), `fw-raspi-${process.pid}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const sd = join(dir, 'sd.img');
  await copyFile(image, sd);
  // QEMU's SD card model wants a power-of-two size.
  const size = (await stat(sd)).size;
  let pow = 1;
  while (pow < size) pow *= 2;
  await truncate(sd, pow);
  const at = `${sd}@@${await bootPartitionOffset(sd)}`;
  for (const f of ['vmlinuz', 'initrd.img', 'bcm2837-rpi-3-b.dtb', 'cmdline.txt']) {
    await run(['mcopy', '-o', '-i', at, `::${f}`, join(dir, f)]);
  }
  const cmdline = (await exec(['cat', join(dir, 'cmdline.txt')])).stdout.trim();
  t.match(cmdline, /console=ttyS1,115200/, 'the image puts the console on the mini-UART');
  const sock = join(dir, 'uart.sock');
  const qemu = spawn('qemu-system-aarch64', [
    '-M', 'raspi3b', '-accel', 'tcg', '-m', '1024', '-display', 'none', '-monitor', 'none', '-no-reboot',
    '-kernel', join(dir, 'vmlinuz'), '-initrd', join(dir, 'initrd.img'), '-dtb', join(dir, 'bcm2837-rpi-3-b.dtb'),
    '-append', cmdline,
    '-drive', `file=${sd},format=raw,if=sd`,
    '-chardev', `socket,id=uart,path=${sock},server=on,wait=on`,
    '-serial', 'null', '-serial', 'chardev:uart',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let qemuErr = '';
  qemu.stderr.on('data', (d: Buffer) => (qemuErr += d.toString()));
  t.teardown(
    () =>
      new Promise<void>((done) => {
        if (qemu.exitCode !== null || qemu.signalCode !== null) return done();
        qemu.once('exit', () => done());
        qemu.kill('SIGKILL');
      }),
  );
  const started = Date.now();
  const c = await SerialSession.open(sock);
  t.teardown(() => c.close());
  await c.waitFor(/Login:/, 420_000).catch((e: Error) => {
    throw new Error(`${e.message}\nQEMU: ${qemuErr}`);
  });
  t.comment(`raspi3b: boot to login ${((Date.now() - started) / 1000).toFixed(1)} s`);
  c.sendLine('admin');
  const next = await c.waitFor(/Password:|\[admin@[^\]]+\][^\r\n>]*>/, 60_000);
  if (/Password:/.test(next[0])) {
    c.sendLine('');
    await c.waitFor(/\[admin@[^\]]+\][^\r\n>]*>/, 60_000);
  }
  c.sendLine('/system identity print');
  await c.waitFor(/name:/, 60_000);
  t.pass('logged in on the mini-UART and ran a command');
});
