// A writer of "newc" cpio archives (the initramfs format, Documentation/driver-api/early-
// userspace/buffer-format.rst). The harness appends one to the guest's cached initrd to tell
// the guest what to be: the kernel unpacks concatenated archives in order, later files
// overwriting earlier ones, so the base image never has to be rebuilt per scenario.

export interface NewcEntry {
  /** Path inside the guest, without a leading slash ("etc/ppp/chap-secrets"). */
  readonly path: string;
  /** File contents; undefined makes a directory. */
  readonly data?: string | Buffer;
  /** Permission bits; default 0o644 for files, 0o755 for directories. */
  readonly mode?: number;
}

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const TRAILER = 'TRAILER!!!';

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function header(fields: { ino: number; mode: number; nlink: number; size: number; nameSize: number }): string {
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
  // namesize, check: all ASCII hex, 8 digits each.
  return (
    '070701' +
    [fields.ino, fields.mode, 0, 0, fields.nlink, 0, fields.size, 0, 0, 0, 0, fields.nameSize, 0].map(hex).join('')
  );
}

/**
 * Builds a newc archive holding the entries and, first, every parent directory they need
 * (the kernel creates no missing parents while unpacking). Owner root, mtime 0.
 */
export function newcArchive(entries: readonly NewcEntry[]): Buffer {
  const dirs = new Set<string>();
  for (const entry of entries) {
    const parts = entry.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    if (entry.data === undefined) dirs.add(entry.path);
  }
  const all: NewcEntry[] = [...[...dirs].sort().map((path) => ({ path })), ...entries.filter((e) => e.data !== undefined)];
  const chunks: Buffer[] = [];
  let ino = 1;
  const push = (name: string, mode: number, nlink: number, data: Buffer): void => {
    const nameBytes = Buffer.from(name + '\0', 'utf8');
    const head = Buffer.from(header({ ino: ino++, mode, nlink, size: data.length, nameSize: nameBytes.length }), 'latin1');
    chunks.push(head, nameBytes, Buffer.alloc(pad4(head.length + nameBytes.length)), data, Buffer.alloc(pad4(data.length)));
  };
  for (const entry of all) {
    if (entry.path.startsWith('/') || entry.path.split('/').includes('..')) {
      throw new Error(`newc: path must be relative and stay inside the archive: ${entry.path}`);
    }
    if (entry.data === undefined) {
      push(entry.path, S_IFDIR | (entry.mode ?? 0o755), 2, Buffer.alloc(0));
    } else {
      const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
      push(entry.path, S_IFREG | (entry.mode ?? 0o644), 1, data);
    }
  }
  push(TRAILER, 0, 1, Buffer.alloc(0));
  return Buffer.concat(chunks);
}

/**
 * The cached initrd followed by the archive, the archive starting on a 4-byte boundary (the
 * kernel skips the zero padding between concatenated archives).
 */
export function appendArchive(initrd: Buffer, archive: Buffer): Buffer {
  return Buffer.concat([initrd, Buffer.alloc(pad4(initrd.length)), archive]);
}
