// Ad-hoc: boots the qemu-virt image (a copy) with a given cmdline change; prints QEMU start -> Login: and
// writes the console transcript. Usage: node --import tsx boot-time.ts IMAGE OUT [verbose]
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetns, uniqueName } from '../test/lib/netns.js';
import { Teardown } from '../bench/teardown.js';
import { extractBootFiles, QemuVirt } from '../test/firmware/qemu-virt.js';

const [image, out, mode] = process.argv.slice(2);
const t = new Teardown();
const dir = await mkdtemp(join(tmpdir(), 'boottime-'));
try {
  const disk = join(dir, 'disk.img');
  await copyFile(image!, disk);
  const boot = await extractBootFiles(image!, dir);
  const cmdline = mode === 'verbose'
    ? boot.cmdline.replace(/ quiet| loglevel=3| systemd.show_status=false/g, '') + ' printk.time=1 loglevel=7 systemd.log_target=kmsg systemd.log_level=info systemd.show_status=false systemd.journald.forward_to_kmsg=1 systemd.journald.max_level_kmsg=info'
    : boot.cmdline;
  const q = await createNetns(t, 'btq');
  const taps: string[] = [];
  for (let i = 0; i < 2; i++) {
    const tap = uniqueName('btt');
    await q.run(['ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
    await q.run(['ip', 'link', 'set', tap, 'up']);
    taps.push(tap);
  }
  const vm = await QemuVirt.start(q, { image: disk, boot: { ...boot, cmdline }, taps: [taps[0]!, taps[1]!], serialSocket: join(dir, 'uart.sock') });
  t.teardown(() => vm.powerCut());
  let started = NaN;
  if (mode === 'verbose') {
    await vm.console.waitFor(/Started routerd\.service/, 400_000);
    started = (Date.now() - vm.startedAt) / 1000;
  }
  await vm.console.waitFor(/Login:/, 400_000);
  if (mode === 'verbose') console.log(`wall: routerd.service started at ${started.toFixed(1)} s, Login: ${((Date.now() - vm.startedAt) / 1000 - started).toFixed(1)} s later`);
  console.log(`QEMU start -> Login: ${((Date.now() - vm.startedAt) / 1000).toFixed(1)} s (${mode ?? 'normal'})`);
  await new Promise((r) => setTimeout(r, mode === 'verbose' ? 15000 : 1000));
  await writeFile(out!, vm.console.transcript);
} finally {
  await t.run();
  await rm(dir, { recursive: true, force: true });
}
