// Splits a console line into words the RouterOS way: `key=value` pairs, "quoted strings" with
// backslash escapes, `[ find ... ]` expressions kept whole, and a trailing `\` that continues
// the command on the next line.
import { unescapeQuoted } from './escapes.js';

export interface Token {
  /** The word as typed, quotes removed and escapes applied (for key=value: the value). */
  readonly text: string;
  /** Set for key=value words. */
  readonly key?: string;
  /** Set for a `[ ... ]` expression: its inner text. */
  readonly expr?: string;
  /** Column (0-based) where the word starts, for completion. */
  readonly start: number;
  /** Whether the word (or its value) was quoted. */
  readonly quoted: boolean;
}

export class TokenError {
  constructor(readonly message: string) {}
}

export function tokenize(line: string): Token[] | TokenError {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    if (/\s/.test(line[i]!)) {
      i++;
      continue;
    }
    const start = i;
    if (line[i] === '[') {
      let depth = 0;
      let j = i;
      for (; j < line.length; j++) {
        if (line[j] === '"') {
          j = skipQuoted(line, j);
          if (j < 0) return new TokenError(`unterminated quote (line 1 column ${start + 1})`);
          continue;
        }
        if (line[j] === '[') depth++;
        if (line[j] === ']' && --depth === 0) break;
      }
      if (j >= line.length) return new TokenError(`missing ] (line 1 column ${start + 1})`);
      out.push({ text: line.slice(i, j + 1), expr: line.slice(i + 1, j).trim(), start, quoted: false });
      i = j + 1;
      continue;
    }
    // A word runs to whitespace; a quoted part may sit anywhere in it (name="a b").
    let text = '';
    let key: string | undefined;
    let quoted = false;
    while (i < line.length && !/\s/.test(line[i]!)) {
      const c = line[i]!;
      if (c === '"') {
        const end = skipQuoted(line, i);
        if (end < 0) return new TokenError(`unterminated quote (line 1 column ${i + 1})`);
        text += unescapeQuoted(line.slice(i + 1, end));
        quoted = true;
        i = end + 1;
        continue;
      }
      if (c === '=' && key === undefined && !quoted && text !== '' && /^[a-z!][a-z0-9-]*$/i.test(text)) {
        key = text;
        text = '';
        i++;
        continue;
      }
      text += c;
      i++;
    }
    out.push(key === undefined ? { text, start, quoted } : { text, key, start, quoted });
  }
  return out;
}

/** Index of the closing quote of the string opening at `open`, or -1. */
function skipQuoted(line: string, open: number): number {
  for (let j = open + 1; j < line.length; j++) {
    if (line[j] === '\\') j++;
    else if (line[j] === '"') return j;
  }
  return -1;
}


/** A value as typed back into the console: bare when safe, else quoted with escapes. */
export function quote(value: string, force = false): string {
  if (!force && value !== '' && /^[A-Za-z0-9._:/,@+*<>-]+$/.test(value)) return value;
  return `"${value.replace(/(["\\$])/g, '\\$1')}"`;
}

/**
 * Whether a line continues on the next one: a trailing backslash outside quotes (the seed's
 * `add name=user password=passwd \`).
 */
export function continues(line: string): boolean {
  const trimmed = line.replace(/\s+$/, '');
  if (!trimmed.endsWith('\\')) return false;
  let inQuote = false;
  for (let j = 0; j < trimmed.length - 1; j++) {
    if (trimmed[j] === '\\') j++;
    else if (trimmed[j] === '"') inQuote = !inQuote;
  }
  return !inQuote;
}
