// Boots the qemu-virt firmware image in qemu-system-aarch64 the way the README describes:
// the kernel, initrd and cmdline come from the image's own FAT boot partition, the disk is the
// whole image on virtio-blk, the two NICs are virtio-net-pci at PCI slots 1 and 2 (the image's
// .link files name them ether1 and ether2), and the UART is a unix socket.
import { type ChildProcess } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, type Netns } from '../lib/netns.js';
import { SerialSession } from './serial-session.js';

export interface BootFiles {
  readonly kernel: string;
  readonly initrd: string;
  readonly cmdline: string;
}

/** Byte offset of the first (FAT boot) partition, read from the image's MBR. */
export async function bootPartitionOffset(image: string): Promise<number> {
  const fh = await open(image, 'r');
  try {
    const mbr = Buffer.alloc(512);
    await fh.read(mbr, 0, 512, 0);
    if (mbr.readUInt16LE(510) !== 0xaa55) throw new Error(`${image}: no MBR signature`);
    return mbr.readUInt32LE(446 + 8) * 512;
  } finally {
    await fh.close();
  }
}

/** Copies vmlinuz, initrd.img and cmdline.txt out of the image's boot partition (mtools). */
export async function extractBootFiles(image: string, dir: string): Promise<BootFiles> {
  const at = `${image}@@${await bootPartitionOffset(image)}`;
  const kernel = join(dir, 'vmlinuz');
  const initrd = join(dir, 'initrd.img');
  const cmdlineFile = join(dir, 'cmdline.txt');
  for (const [from, to] of [
    ['::vmlinuz', kernel],
    ['::initrd.img', initrd],
    ['::cmdline.txt', cmdlineFile],
  ] as const) {
    await run(['mcopy', '-o', '-i', at, from, to]);
  }
  return { kernel, initrd, cmdline: (await readFile(cmdlineFile, 'utf8')).trim() };
}

export interface QemuOptions {
  readonly image: string;
  readonly boot: BootFiles;
  /** Tap device names inside `ns`, for ether1 and ether2. */
  readonly taps: readonly [string, string];
  /** Path of the UART's unix socket. */
  readonly serialSocket: string;
  readonly extraAppend?: string;
  /** A guest reboot resets the machine (same kernel and initrd) instead of ending QEMU. */
  readonly reboot?: boolean;
}

export class QemuVirt {
  private constructor(
    readonly child: ChildProcess,
    readonly console: SerialSession,
    readonly startedAt: number,
    private readonly stderr: () => string,
  ) {}

  /** Starts QEMU in `ns` and connects to its UART (QEMU waits for that connection to run). */
  static async start(ns: Netns, o: QemuOptions): Promise<QemuVirt> {
    const args = [
      '-M', 'virt', '-accel', 'tcg', '-cpu', 'cortex-a72', '-smp', '2', '-m', '1024',
      '-display', 'none', '-monitor', 'none', ...(o.reboot ? [] : ['-no-reboot']),
      '-chardev', `socket,id=uart,path=${o.serialSocket},server=on,wait=on`,
      '-serial', 'chardev:uart',
      '-kernel', o.boot.kernel, '-initrd', o.boot.initrd,
      '-append', `${o.boot.cmdline}${o.extraAppend ? ` ${o.extraAppend}` : ''}`,
      // cache=writeback: what the guest wrote reaches the host's page cache, so killing QEMU
      // loses exactly what a power cut loses (the guest's own unsynced caches).
      '-drive', `file=${o.image},format=raw,if=none,id=disk,cache=writeback`,
      '-device', 'virtio-blk-pci,drive=disk,addr=0x3',
      '-netdev', `tap,id=n1,ifname=${o.taps[0]},script=no,downscript=no`,
      '-device', 'virtio-net-pci,netdev=n1,addr=0x1,romfile=,mac=52:54:00:f1:00:01',
      '-netdev', `tap,id=n2,ifname=${o.taps[1]},script=no,downscript=no`,
      '-device', 'virtio-net-pci,netdev=n2,addr=0x2,romfile=,mac=52:54:00:f1:00:02',
    ];
    // Killed with the test process, even when tap's timeout kills that (a leftover emulated
    // machine takes a core from every later test).
    const child = ns.spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'qemu-system-aarch64', ...args]);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.resume();
    const startedAt = Date.now();
    const console = await SerialSession.open(o.serialSocket);
    return new QemuVirt(child, console, startedAt, () => err);
  }

  get qemuErrors(): string {
    return this.stderr();
  }

  /** Pulls the plug: SIGKILL to QEMU (by PID), then waits for it to be gone. */
  async powerCut(): Promise<void> {
    this.console.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
