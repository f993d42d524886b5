// The system update file (`/system package update install`): a signed head, then the new root
// (a squashfs slot image). Pure codec: the head is parsed and checked here, the payload's hash
// and the signature are checked by the caller (src/system/firmware.ts) with node:crypto.
//
//   offset 0   8 bytes   magic "RTRUPD01"
//          8   u32 BE    head length H
//         12   H bytes   head: JSON {"format":1,"board":..,"version":..,"size":N,"sha256":hex}
//     12 + H   64 bytes  Ed25519 signature over bytes [0, 12 + H) (the vendor key)
//     76 + H   N bytes   payload: the slot image
// The signature covers the payload through its SHA-256 in the head, so a 100 MB root need not
// be held in memory to be checked (Ed25519 signs whole messages only).

export const UPDATE_MAGIC = Buffer.from('RTRUPD01', 'latin1');
export const SIGNATURE_BYTES = 64;
const MAX_HEAD = 4096;

export interface UpdateHead {
  readonly board: string;
  readonly version: string;
  /** Payload size in bytes. */
  readonly size: number;
  /** Payload SHA-256, lower-case hex. */
  readonly sha256: string;
}

export interface ParsedUpdate {
  readonly head: UpdateHead;
  /** The bytes the signature covers. */
  readonly signed: Buffer;
  readonly signature: Buffer;
  readonly payloadOffset: number;
}

/** How many leading bytes parseUpdate needs at most. */
export const UPDATE_PREFIX_BYTES = 12 + MAX_HEAD + SIGNATURE_BYTES;

const VERSION_RE = /^[0-9A-Za-z][0-9A-Za-z.+~-]{0,31}$/;
const BOARD_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * Parses the start of an update file (`prefix`, at least UPDATE_PREFIX_BYTES or the whole file)
 * whose full size is `fileSize`. Returns the reason it is refused, as one line, or the head.
 */
export function parseUpdate(prefix: Buffer, fileSize: number): ParsedUpdate | string {
  if (fileSize < 12 || prefix.length < 12) return 'not an update file (too short)';
  if (!prefix.subarray(0, 8).equals(UPDATE_MAGIC)) return 'not an update file (bad magic)';
  const h = prefix.readUInt32BE(8);
  if (h === 0 || h > MAX_HEAD) return `not an update file (head length ${h})`;
  if (fileSize < 12 + h + SIGNATURE_BYTES || prefix.length < 12 + h + SIGNATURE_BYTES) return 'update file is truncated (head)';
  let raw: unknown;
  try {
    raw = JSON.parse(prefix.subarray(12, 12 + h).toString('utf8'));
  } catch {
    return 'not an update file (head is not JSON)';
  }
  const head = checkHead(raw);
  if (typeof head === 'string') return `not an update file (${head})`;
  const payloadOffset = 12 + h + SIGNATURE_BYTES;
  if (fileSize < payloadOffset + head.size) {
    return `update file is truncated: ${fileSize} bytes, the head announces ${payloadOffset + head.size}`;
  }
  if (fileSize > payloadOffset + head.size) return `update file has ${fileSize - payloadOffset - head.size} bytes after its payload`;
  return {
    head,
    signed: Buffer.from(prefix.subarray(0, 12 + h)),
    signature: Buffer.from(prefix.subarray(12 + h, payloadOffset)),
    payloadOffset,
  };
}

function checkHead(raw: unknown): UpdateHead | string {
  if (typeof raw !== 'object' || raw === null) return 'head is not an object';
  const o = raw as Record<string, unknown>;
  if (o.format !== 1) return `format ${String(o.format)} unknown`;
  if (typeof o.board !== 'string' || !BOARD_RE.test(o.board)) return 'bad board name';
  if (typeof o.version !== 'string' || !VERSION_RE.test(o.version)) return 'bad version';
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size <= 0) return 'bad payload size';
  if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)) return 'bad payload hash';
  return { board: o.board, version: o.version, size: o.size, sha256: o.sha256 };
}

/** The head and signed prefix of a new update file; `sign` signs the prefix (Ed25519). */
export function emitUpdateHead(head: UpdateHead, sign: (data: Buffer) => Buffer): Buffer {
  const json = Buffer.from(JSON.stringify({ format: 1, board: head.board, version: head.version, size: head.size, sha256: head.sha256 }), 'utf8');
  const fixed = Buffer.alloc(12);
  UPDATE_MAGIC.copy(fixed, 0);
  fixed.writeUInt32BE(json.length, 8);
  const signed = Buffer.concat([fixed, json]);
  const signature = sign(signed);
  if (signature.length !== SIGNATURE_BYTES) throw new Error('an Ed25519 signature is 64 bytes');
  return Buffer.concat([signed, signature]);
}
