// The RouterOS API's framing (help.mikrotik.com, "API", "Protocol"): a sentence is a list of
// words ended by an empty word; each word is its length, in 1 to 5 bytes whose leading bits
// say how many follow, then its bytes (UTF-8 here). No I/O and no state: the connection keeps
// its own buffer and asks parseSentence for one sentence at a time.
import { WireError } from './error.js';

/** A word longer than this ends the connection: no management command needs one. */
export const MAX_WORD_BYTES = 1 << 20;
/** Words in one sentence, for the same reason. */
export const MAX_SENTENCE_WORDS = 4096;

const WHAT = 'API sentence';

/** Bytes the encoded length of a word of `length` bytes takes. */
export function lengthSize(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x4000) return 2;
  if (length < 0x200000) return 3;
  if (length < 0x10000000) return 4;
  return 5;
}

export function emitLength(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) throw new RangeError(`word length ${length}`);
  const size = lengthSize(length);
  const out = Buffer.alloc(size);
  switch (size) {
    case 1:
      out[0] = length;
      break;
    case 2:
      out.writeUInt16BE(length | 0x8000);
      break;
    case 3:
      out.writeUIntBE(length | 0xc00000, 0, 3);
      break;
    case 4:
      out.writeUInt32BE((length | 0xe0000000) >>> 0);
      break;
    default:
      out[0] = 0xf0;
      out.writeUInt32BE(length, 1);
  }
  return out;
}

/** A length read from buf at offset: its value and how many bytes it took; undefined: need more. */
export function parseLength(buf: Buffer, offset: number): { value: number; size: number } | undefined | WireError {
  if (offset >= buf.length) return undefined;
  const first = buf[offset]!;
  // 0xf8 and above are the protocol's reserved control bytes; no client sends them.
  if (first >= 0xf8) return new WireError(WHAT, 'word length', offset, `reserved control byte 0x${first.toString(16)}`);
  const size = first < 0x80 ? 1 : first < 0xc0 ? 2 : first < 0xe0 ? 3 : first < 0xf0 ? 4 : 5;
  if (offset + size > buf.length) return undefined;
  let value: number;
  switch (size) {
    case 1:
      value = first;
      break;
    case 2:
      value = buf.readUInt16BE(offset) & 0x3fff;
      break;
    case 3:
      value = buf.readUIntBE(offset, 3) & 0x1fffff;
      break;
    case 4:
      value = buf.readUInt32BE(offset) & 0x0fffffff;
      break;
    default:
      value = buf.readUInt32BE(offset + 1);
  }
  return { value, size };
}

export function emitSentence(words: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const w of words) {
    const bytes = Buffer.from(w, 'utf8');
    parts.push(emitLength(bytes.length), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export interface ParsedSentence {
  readonly words: string[];
  /** Offset just past the sentence's terminating empty word. */
  readonly next: number;
}

/** The sentence starting at offset; undefined when buf does not hold all of it yet. */
export function parseSentence(buf: Buffer, offset = 0): ParsedSentence | undefined | WireError {
  const words: string[] = [];
  let at = offset;
  for (;;) {
    const len = parseLength(buf, at);
    if (len === undefined || len instanceof WireError) return len;
    if (len.value === 0) return { words, next: at + len.size };
    if (len.value > MAX_WORD_BYTES) return new WireError(WHAT, 'word length', at, `${len.value} bytes is over the ${MAX_WORD_BYTES} limit`);
    if (words.length >= MAX_SENTENCE_WORDS) return new WireError(WHAT, 'word count', at, `more than ${MAX_SENTENCE_WORDS} words`);
    const start = at + len.size;
    if (start + len.value > buf.length) return undefined;
    words.push(buf.toString('utf8', start, start + len.value));
    at = start + len.value;
  }
}

/** An attribute word `=key=value` (the value may hold '='); undefined for other words. */
export function attributeOf(word: string): { key: string; value: string } | undefined {
  if (!word.startsWith('=')) return undefined;
  const eq = word.indexOf('=', 1);
  // `=key` without a second '=' is an attribute with an empty value (RouterOS accepts it).
  return eq < 0 ? { key: word.slice(1), value: '' } : { key: word.slice(1, eq), value: word.slice(eq + 1) };
}
