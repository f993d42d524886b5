// The A/B system slots on the image (firmware/initramfs/init): what runs, what the other
// slot holds, and `/system package update install`, which checks a signed update file and
// writes it to the slot not running, then asks for the trial boot. A file that is refused
// changes nothing: every check runs before the first byte is written to the slot.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseUpdate, UPDATE_PREFIX_BYTES } from '../wire/update-file.js';

export type Slot = 'a' | 'b';

/** What the initrd found at boot (/run/ab/env). */
export interface BootInfo {
  readonly slot: Slot;
  readonly trying: boolean;
  readonly version: string;
  readonly rolledBack: string;
  readonly devices: Readonly<Record<Slot, string>>;
}

/** ab/state on the boot partition. */
export interface SlotState {
  active: Slot;
  try: Slot | '';
  tries: number;
  version_a: string;
  version_b: string;
  rolledback: string;
}

export interface FirmwarePaths {
  /** The initrd's facts; absent when not booted from the A/B image. */
  readonly env: string;
  /** The boot partition (ab/state, ab/board, tryboot.txt). */
  readonly boot: string;
  /** routerd's runtime directory: the health mark and reboot requests. */
  readonly run: string;
}

export const IMAGE_PATHS: FirmwarePaths = { env: '/run/ab/env', boot: '/boot/firmware', run: '/run/routerd' };

function keyValues(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return m;
}

const asSlot = (s: string | undefined): Slot | undefined => (s === 'a' || s === 'b' ? s : undefined);
export const otherSlot = (s: Slot): Slot => (s === 'a' ? 'b' : 'a');

export function parseBootEnv(text: string): BootInfo | undefined {
  const m = keyValues(text);
  const slot = asSlot(m.get('AB_SLOT'));
  const a = m.get('AB_DEV_A');
  const b = m.get('AB_DEV_B');
  if (!slot || !a || !b) return undefined;
  return { slot, trying: m.get('AB_TRYING') === '1', version: m.get('AB_VERSION') ?? '', rolledBack: m.get('AB_ROLLEDBACK') ?? '', devices: { a, b } };
}

export function parseSlotState(text: string): SlotState {
  const m = keyValues(text);
  const tries = Number(m.get('tries') ?? '0');
  return {
    active: asSlot(m.get('active')) ?? 'a',
    try: asSlot(m.get('try')) ?? '',
    tries: Number.isSafeInteger(tries) && tries >= 0 ? tries : 0,
    version_a: m.get('version_a') ?? '',
    version_b: m.get('version_b') ?? '',
    rolledback: m.get('rolledback') ?? '',
  };
}

export function formatSlotState(s: SlotState): string {
  return `active=${s.active}\ntry=${s.try}\ntries=${s.tries}\nversion_a=${s.version_a}\nversion_b=${s.version_b}\nrolledback=${s.rolledback}\n`;
}

export interface PackageRow {
  readonly slot: Slot;
  readonly version: string;
  readonly status: string;
}

export class Firmware {
  constructor(
    private readonly paths: FirmwarePaths,
    private readonly vendorKey: KeyObject,
  ) {}

  static forImage(vendorKeyPem: string): Firmware {
    return new Firmware(IMAGE_PATHS, createPublicKey(vendorKeyPem));
  }

  boot(): BootInfo | undefined {
    try {
      return parseBootEnv(readFileSync(this.paths.env, 'utf8'));
    } catch {
      return undefined;
    }
  }

  state(): SlotState | undefined {
    try {
      return parseSlotState(readFileSync(join(this.paths.boot, 'ab', 'state'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  board(): string {
    try {
      return readFileSync(join(this.paths.boot, 'ab', 'board'), 'utf8').trim();
    } catch {
      return '';
    }
  }

  /** Lines for the login banner: the running version, and a rolled-back update. */
  notices(): string[] {
    const b = this.boot();
    if (!b) return [];
    const out = [`system version ${b.version || 'unknown'} running from slot ${b.slot}${b.trying ? ' (trial boot of a new update)' : ''}`];
    if (b.rolledBack) out.push(`the update to version ${b.rolledBack} failed its trial boot and was rolled back; version ${b.version} runs`);
    return out;
  }

  packages(): PackageRow[] | string {
    const b = this.boot();
    const s = this.state();
    if (!b || !s) return 'failure: not booted from an A/B system image';
    return (['a', 'b'] as const).map((slot) => {
      const version = slot === 'a' ? s.version_a : s.version_b;
      let status = version ? 'installed' : 'empty';
      if (slot === b.slot) status = b.trying && s.try === slot ? 'running, on trial' : 'running';
      else if (s.try === slot) status = 'installed, tried at next boot';
      else if (version && s.rolledback === version) status = 'rolled back';
      return { slot, version, status };
    });
  }

  /** Marks the running system healthy (console up, configuration loaded): ab-confirm waits for it. */
  markHealthy(): void {
    try {
      writeFileSync(join(this.paths.run, 'healthy'), `${Date.now()}\n`);
    } catch {
      // Not on the image (no /run/routerd): nothing waits for the mark.
    }
  }

  /**
   * Checks the update file and writes it to the slot not running; returns what to print, or
   * the one line that says why it was refused. `progress` gets the steps as they happen.
   */
  install(file: string, progress: (line: string) => void = () => undefined): { ok: boolean; line: string; tryboot: boolean } {
    const refuse = (why: string): { ok: false; line: string; tryboot: boolean } => ({ ok: false, line: `failure: ${why}; nothing was changed`, tryboot: false });
    const b = this.boot();
    const s = this.state();
    if (!b || !s) return refuse('not booted from an A/B system image');
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return refuse(`no such update file ${file}`);
    }
    const fd = openSync(file, 'r');
    try {
      const prefix = Buffer.alloc(Math.min(size, UPDATE_PREFIX_BYTES));
      readSync(fd, prefix, 0, prefix.length, 0);
      const u = parseUpdate(prefix, size);
      if (typeof u === 'string') return refuse(u);
      if (!verify(null, u.signed, this.vendorKey, u.signature)) return refuse('update file is not signed by the vendor key');
      const board = this.board();
      if (u.head.board !== board) return refuse(`update file is for board ${u.head.board}, this is ${board || 'an unknown board'}`);
      const target = otherSlot(b.slot);
      const device = b.devices[target];
      const capacity = blockDeviceSize(device);
      if (capacity !== undefined && u.head.size > capacity) return refuse(`update is ${u.head.size} bytes, slot ${target} holds ${capacity}`);
      const hash = createHash('sha256');
      copyRange(fd, u.payloadOffset, u.head.size, (chunk) => hash.update(chunk));
      if (hash.digest('hex') !== u.head.sha256) return refuse('update file is corrupt (payload hash does not match its signed head)');

      progress(`writing version ${u.head.version} to slot ${target} (${device})`);
      const out = openSync(device, 'r+');
      try {
        let at = 0;
        copyRange(fd, u.payloadOffset, u.head.size, (chunk) => {
          writeSync(out, chunk, 0, chunk.length, at);
          at += chunk.length;
        });
        fsyncSync(out);
      } finally {
        closeSync(out);
      }
      // qemu-virt: the initrd's counter gives the new slot one boot. Pi: the firmware's tryboot
      // flag does (tries=0, the initrd sees ab.tryboot=1).
      const tryboot = existsSync(join(this.paths.boot, 'tryboot.txt'));
      const next: SlotState = { ...s, try: target, tries: tryboot ? 0 : 1, rolledback: '' };
      if (target === 'a') next.version_a = u.head.version;
      else next.version_b = u.head.version;
      writeState(join(this.paths.boot, 'ab', 'state'), next);
      // As RouterOS does with an installed package: the file has done its job, and the data
      // partition has room for one update file only.
      rmSync(file, { force: true });
      return { ok: true, line: `installed version ${u.head.version} in slot ${target}; it is tried at the next boot`, tryboot };
    } finally {
      closeSync(fd);
    }
  }

  /** Asks routerd-reboot.path to reboot (routerd holds no CAP_SYS_BOOT). */
  requestReboot(tryboot: boolean): string | undefined {
    try {
      writeFileSync(join(this.paths.run, 'reboot'), tryboot ? 'tryboot\n' : 'normal\n');
      return undefined;
    } catch (e) {
      return `failure: cannot request a reboot: ${(e as Error).message}`;
    }
  }
}

function copyRange(fd: number, offset: number, length: number, sink: (chunk: Buffer) => void): void {
  const buf = Buffer.alloc(1 << 20);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, length - done), offset + done);
    if (n <= 0) throw new Error('update file shrank while it was read');
    sink(buf.subarray(0, n));
    done += n;
  }
}

function blockDeviceSize(device: string): number | undefined {
  const name = device.replace(/^\/dev\//, '');
  try {
    return Number(readFileSync(`/sys/class/block/${name}/size`, 'utf8').trim()) * 512;
  } catch {
    return undefined;
  }
}

function writeState(path: string, s: SlotState): void {
  const tmp = `${path}.new`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, formatSlotState(s));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
