// Checks the built images without booting them (fast enough for `make test`): partition table,
// boot-partition files per board, and the root's promises (read-only fstab, data partition,
// the daemon enabled and owning the console, NIC naming, arm64 Node, no package manager).
// Each board's image is checked when out/ has it; boards not built are skipped with the reason.
import t from 'tap';
import { open, access } from 'node:fs/promises';
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

/** debugfs on an ext4 partition inside the image (e2fsprogs' "?offset=" io option). */
async function debugfs(image: string, offset: number, request: string): Promise<string> {
  const r = await exec(['debugfs', '-R', request, `${image}?offset=${offset}`]);
  return r.stdout;
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
    for (const tool of ['mtype', 'debugfs']) {
      if ((await exec(['which', tool])).code !== 0) {
        t.plan(0, `${tool} not installed`);
        return;
      }
    }
    const parts = await partitions(image);
    t.same(parts.map((p) => p.type), [0x0c, 0x83, 0x83], 'MBR: FAT32 boot, ext4 root, ext4 data');
    t.ok(parts[0]!.bootable, 'boot partition is marked active');
    const [boot, root, data] = parts as [Partition, Partition, Partition];

    const listing = await mdir(image, boot.offset);
    for (const f of ['vmlinuz', 'initrd.img', 'cmdline.txt', ...want.files]) {
      t.match(listing, new RegExp(`::/${f.replace('.', '\\.')}\\b`, 'i'), `boot partition has ${f}`);
    }
    const cmdline = (await mtype(image, boot.offset, 'cmdline.txt')) ?? '';
    t.match(cmdline, new RegExp(`console=${want.console},115200`), `kernel console on ${want.console}`);
    t.match(cmdline, /root=LABEL=ROUTERROOT/, 'root found by label');
    t.match(cmdline, /(^|\s)ro(\s|$)/, 'root mounted read-only from the start');
    if (board !== 'qemu-virt') {
      const config = (await mtype(image, boot.offset, 'config.txt')) ?? '';
      t.match(config, /^arm_64bit=1$/m, 'config.txt: 64-bit kernel');
      t.match(config, /^enable_uart=1$/m, 'config.txt: GPIO UART enabled');
      t.match(config, /^kernel=vmlinuz$/m, 'config.txt: loads Debian\'s kernel');
    }

    const fstab = await debugfs(image, root.offset, 'cat /etc/fstab');
    t.match(fstab, /^LABEL=ROUTERROOT\s+\/\s+ext4\s+ro[,\s]/m, 'fstab: root read-only');
    t.match(fstab, /^LABEL=ROUTERDATA\s+\/data\s+ext4\s+\S*data=journal/m, 'fstab: data partition on /data, journalled');
    t.notMatch(fstab, /\sswap\s/, 'no swap');
    // The root is read-only at run time: a mount point missing from the image sends boot to emergency mode.
    for (const line of fstab.split('\n').filter((l) => /^[^#\s]/.test(l))) {
      const dir = line.split(/\s+/)[1]!;
      t.match(await debugfs(image, root.offset, `stat ${dir}`), /Type: directory/, `mount point ${dir} exists in the root`);
    }
    t.match(await debugfs(image, root.offset, 'cat /etc/routerd/board.env'), new RegExp(`CONSOLE=/dev/${want.console}`), 'daemon console device');
    t.match(
      await debugfs(image, root.offset, 'stat /etc/systemd/system/multi-user.target.wants/routerd.service'),
      /Type: symlink/,
      'routerd.service enabled at boot',
    );
    const unit = await debugfs(image, root.offset, 'cat /etc/systemd/system/routerd.service');
    t.match(unit, /^CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE$/m, 'routerd.service: only the capabilities a router needs');
    t.match(unit, /^NoNewPrivileges=yes$/m, 'routerd.service: no privileges gained through exec');
    t.match(unit, /^ProtectSystem=strict$[^]*^ReadWritePaths=\/data$/m, 'routerd.service: writes only to /data');
    t.match(await debugfs(image, root.offset, 'stat /etc/systemd/system/serial-getty@.service'), /Fast link dest: "\/dev\/null"/, 'serial getty masked: the daemon owns the UART');
    t.match(await debugfs(image, root.offset, 'cat /etc/systemd/network/10-ether1.link'), want.link, 'ether1 .link matches the onboard NIC');
    t.match(await debugfs(image, root.offset, 'cat /etc/systemd/network/20-ether2.link'), /Name=ether2/, 'ether2 .link present');
    const nodeHead = (await exec(['sh', '-c', `debugfs -R 'cat /opt/routerd/bin/node' '${image}?offset=${root.offset}' 2>/dev/null | head -c 20 | od -An -tx1`])).stdout;
    t.match(nodeHead.replace(/\s+/g, ' '), /^ 7f 45 4c 46 02 01 01 0[03]( 00){8} 02 00 b7 00/, 'node is a 64-bit ELF for aarch64 (e_machine 0xb7)');
    t.match(await debugfs(image, root.offset, 'stat /opt/routerd/dist/src/daemon.js'), /Type: regular/, 'compiled daemon present');
    t.match(await debugfs(image, root.offset, 'stat /opt/routerd/native/build/Release/pptp_native.node'), /Type: regular/, 'arm64 native addon present');
    t.notMatch(await debugfs(image, root.offset, 'stat /usr/bin/apt-get'), /Type: regular/, 'no package manager at run time');

    const dataDump = (await exec(['dumpe2fs', '-h', `${image}?offset=${data.offset}`])).stdout;
    t.match(dataDump, /Filesystem volume name:\s+ROUTERDATA/, 'data partition labelled ROUTERDATA');
    t.ok(data.size >= 32 * 1024 * 1024, 'data partition has room for configuration');
  });
}
