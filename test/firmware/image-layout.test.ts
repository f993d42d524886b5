// Checks the built images without booting them (fast enough for `make test`): partition table
// (boot, system slots a and b, data), boot-partition files per board (A/B state, the Pi's
// tryboot files), and the root's promises (read-only squashfs, data partition, the daemon
// enabled and owning the console, NIC naming, arm64 Node, no package manager), the Pi .img.xz size.
// Each board's image is checked when out/ has it; boards not built are skipped with the reason.
import t from 'tap';
import { open, access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { resolve } from 'node:path';
import { exec } from '../lib/netns.js';

interface Partition {
  readonly type: number;
  readonly bootable: boolean;
  readonly offset: number;
  readonly size: number;
}

async function partitions(image: string): Promise<Partition[]> {
  const fh = await open(image, 'r');
  try {
    const mbr = Buffer.alloc(512);
    await fh.read(mbr, 0, 512, 0);
    const out: Partition[] = [];
    for (let i = 0; i < 4; i++) {
      const e = 446 + 16 * i;
      const type = mbr[e + 4]!;
      if (type === 0) continue;
      out.push({ type, bootable: mbr[e] === 0x80, offset: mbr.readUInt32LE(e + 8) * 512, size: mbr.readUInt32LE(e + 12) * 512 });
    }
    return out;
  } finally {
    await fh.close();
  }
}

async function mtype(image: string, offset: number, file: string): Promise<string | undefined> {
  const r = await exec(['mtype', '-i', `${image}@@${offset}`, `::${file}`]);
  return r.code === 0 ? r.stdout : undefined;
}

async function mdir(image: string, offset: number): Promise<string> {
  return (await exec(['mdir', '-b', '-i', `${image}@@${offset}`, '::'])).stdout;
}

/** unsquashfs on a system slot inside the image (-o: the slot's byte offset). */
async function sqCat(image: string, offset: number, file: string): Promise<string> {
  return (await exec(['unsquashfs', '-o', String(offset), '-cat', image, file])).stdout;
}

/** `ls -l`-like line of one path in a system slot ("" when it is missing). */
async function sqLs(image: string, offset: number, file: string): Promise<string> {
  const out = (await exec(['unsquashfs', '-o', String(offset), '-lls', image, file])).stdout;
  return out.split('\n').find((l) => l.endsWith(`squashfs-root${file}`) || l.includes(`squashfs-root${file} -> `)) ?? '';
}

async function readAt(image: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(image, 'r');
  try {
    const b = Buffer.alloc(length);
    await fh.read(b, 0, length, offset);
    return b;
  } finally {
    await fh.close();
  }
}

const boards = {
  raspberrypi4: { console: 'ttyS1', files: ['start4.elf', 'fixup4.dat', 'bcm2711-rpi-4-b.dtb', 'config.txt'], link: /Driver=bcmgenet/ },
  raspberrypi3: { console: 'ttyS1', files: ['bootcode.bin', 'start.elf', 'bcm2837-rpi-3-b.dtb', 'config.txt'], link: /3f980000\.usb/ },
  'qemu-virt': { console: 'ttyAMA0', files: [], link: /pci-0000:00:01\.0/ },
} as const;

for (const [board, want] of Object.entries(boards)) {
  t.test(`${board} image layout`, async (t) => {
    const image = resolve(`out/pptp-router-${board}.img`);
    try {
      await access(image, constants.R_OK);
    } catch {
      t.plan(0, `${image} not built (make image BOARD=${board})`);
      return;
    }
    for (const tool of ['mtype', 'unsquashfs', 'dumpe2fs']) {
      if ((await exec(['which', tool])).code !== 0) {
        t.plan(0, `${tool} not installed`);
        return;
      }
    }
    const parts = await partitions(image);
    t.same(parts.map((p) => p.type), [0x0c, 0x83, 0x83, 0x83], 'MBR: FAT32 boot, system slots a and b, ext4 data');
    t.ok(parts[0]!.bootable, 'boot partition is marked active');
    const [boot, slotA, slotB, data] = parts as [Partition, Partition, Partition, Partition];
    t.equal(slotA.size, slotB.size, 'both system slots have the same size');

    const listing = await mdir(image, boot.offset);
    for (const f of ['vmlinuz', 'initrd.img', 'cmdline.txt', ...want.files]) {
      t.match(listing, new RegExp(`::/${f.replace('.', '\\.')}\\b`, 'i'), `boot partition has ${f}`);
    }
    const cmdline = (await mtype(image, boot.offset, 'cmdline.txt')) ?? '';
    t.match(cmdline, new RegExp(`console=${want.console},115200`), `kernel console on ${want.console}`);
    t.match(cmdline, /(^|\s)boot=ab(\s|$)/, 'the initrd chooses the system slot (boot=ab)');
    t.match(cmdline, /(^|\s)ro(\s|$)/, 'root mounted read-only from the start');
    const state = (await mtype(image, boot.offset, 'ab/state')) ?? '';
    t.match(state, /^active=a$/m, 'ab/state: slot a active');
    t.match(state, /^try=$/m, 'ab/state: no trial pending');
    t.match(state, /^version_a=\S+$/m, 'ab/state: slot a has a version');
    t.match(state, /^version_b=$/m, 'ab/state: slot b empty');
    t.equal(((await mtype(image, boot.offset, 'ab/board')) ?? '').trim(), board, 'ab/board names the board (updates for others are refused)');
    if (board !== 'qemu-virt') {
      const config = (await mtype(image, boot.offset, 'config.txt')) ?? '';
      t.match(config, /^arm_64bit=1$/m, 'config.txt: 64-bit kernel');
      t.match(config, /^enable_uart=1$/m, 'config.txt: GPIO UART enabled');
      t.match(config, /^kernel=vmlinuz$/m, 'config.txt: loads Debian\'s kernel');
      t.match((await mtype(image, boot.offset, 'tryboot.txt')) ?? '', /^cmdline=cmdline-tryboot\.txt$/m, 'tryboot.txt: the firmware\'s one-shot trial boot');
      t.match((await mtype(image, boot.offset, 'cmdline-tryboot.txt')) ?? '', /boot=ab .*ab\.tryboot=1/, 'cmdline-tryboot.txt tells the initrd it is a trial');
    }

    t.equal((await readAt(image, slotA.offset, 4)).toString('latin1'), 'hsqs', 'slot a holds a squashfs');
    t.ok((await readAt(image, slotB.offset, 65536)).every((b) => b === 0), 'slot b ships empty (zeros: free in the .xz)');
    const fstab = await sqCat(image, slotA.offset, '/etc/fstab');
    t.notMatch(fstab, /^\S+\s+\/\s/m, 'fstab: no line for / (the initrd mounts the slot read-only)');
    t.match(fstab, /^LABEL=ROUTERDATA\s+\/data\s+ext4\s+\S*data=journal/m, 'fstab: data partition on /data, journalled');
    t.match(fstab, /^LABEL=ROUTERBOOT\s+\/boot\/firmware\s+vfat\s/m, 'fstab: boot partition on /boot/firmware (slot state)');
    t.notMatch(fstab, /\sswap\s/, 'no swap');
    // The root is read-only at run time: a mount point missing from the image sends boot to emergency mode.
    for (const line of fstab.split('\n').filter((l) => /^[^#\s]/.test(l))) {
      const dir = line.split(/\s+/)[1]!;
      t.match(await sqLs(image, slotA.offset, dir), /^d/, `mount point ${dir} exists in the root`);
    }
    t.match(await sqCat(image, slotA.offset, '/etc/routerd/board.env'), new RegExp(`CONSOLE=/dev/${want.console}`), 'daemon console device');
    for (const unit of ['multi-user.target.wants/routerd.service', 'multi-user.target.wants/ab-confirm.service', 'multi-user.target.wants/routerd-reboot.path']) {
      t.match(await sqLs(image, slotA.offset, `/etc/systemd/system/${unit}`), /^l/, `${unit.split('/')[1]} enabled at boot`);
    }
    const unit = await sqCat(image, slotA.offset, '/etc/systemd/system/routerd.service');
    t.match(unit, /^CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE CAP_SYS_TIME$/m, 'routerd.service: only the capabilities a router needs (SYS_TIME: no real-time clock)');
    t.match(unit, /--set-system-clock/, 'routerd.service: the NTP client sets the board\'s clock');
    t.match(unit, /^NoNewPrivileges=yes$/m, 'routerd.service: no privileges gained through exec');
    t.match(unit, /^ProtectSystem=strict$[^]*^ReadWritePaths=\/data \/boot\/firmware$/m, 'routerd.service: writes only to /data and the slot state');
    t.match(unit, /--vendor-key \/etc\/routerd\/vendor\.pub\.pem/, 'routerd.service: the vendor key given to the build');
    t.match(await sqCat(image, slotA.offset, '/etc/routerd/vendor.pub.pem'), /BEGIN PUBLIC KEY/, 'vendor public key installed');
    t.match(await sqLs(image, slotA.offset, '/etc/systemd/system/serial-getty@.service'), /-> \/dev\/null$/, 'serial getty masked: the daemon owns the UART');
    t.match(await sqCat(image, slotA.offset, '/etc/systemd/network/10-ether1.link'), want.link, 'ether1 .link matches the onboard NIC');
    t.match(await sqCat(image, slotA.offset, '/etc/systemd/network/20-ether2.link'), /Name=ether2/, 'ether2 .link present');
    const nodeHead = (await exec(['sh', '-c', `unsquashfs -o ${slotA.offset} -cat '${image}' /opt/routerd/bin/node 2>/dev/null | head -c 20 | od -An -tx1`])).stdout;
    t.match(nodeHead.replace(/\s+/g, ' '), /^ 7f 45 4c 46 02 01 01 0[03]( 00){8} 02 00 b7 00/, 'node is a 64-bit ELF for aarch64 (e_machine 0xb7)');
    t.match(await sqLs(image, slotA.offset, '/opt/routerd/dist/src/daemon.js'), /^-/, 'compiled daemon present');
    t.match(await sqLs(image, slotA.offset, '/opt/routerd/native/build/Release/pptp_native.node'), /^-/, 'arm64 native addon present');
    t.equal(await sqLs(image, slotA.offset, '/usr/bin/apt-get'), '', 'no package manager at run time');

    const dataDump = (await exec(['dumpe2fs', '-h', `${image}?offset=${data.offset}`])).stdout;
    t.match(dataDump, /Filesystem volume name:\s+ROUTERDATA/, 'data partition labelled ROUTERDATA');
    t.ok(data.size >= slotA.size, 'data partition has room for an update file (one slot) besides the configuration');

    if (board !== 'qemu-virt') {
      try {
        const xz = await stat(`${image}.xz`);
        t.ok(xz.size <= 64 * 1048576, `${board}.img.xz is ${(xz.size / 1048576).toFixed(1)} MiB (at most 64 MiB)`);
      } catch {
        t.comment(`${image}.xz not built (IMAGE_COMPRESS=no): its size is not checked`);
      }
    }
  });
}
