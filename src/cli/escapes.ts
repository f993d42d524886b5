// The backslash escapes of a RouterOS quoted string: \" \\ \$ \? \n \r \t \a \b \f \v, \_ for a
// space, and \XX for one byte in hex. Bytes given in hex are read as UTF-8 together with the
// bytes next to them, so "\C3\B3" is ó and a byte that is not UTF-8 becomes U+FFFD, which names
// and comments refuse (src/printable.ts): what a console cannot type raw it can type this way.

const NAMED: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v', _: ' ' };

/** Collects a string's text and escaped bytes; a run of hex bytes is decoded as UTF-8 on its own. */
export class EscapedText {
  private text = '';
  private bytes: number[] = [];

  /**
   * Reads the escape whose backslash is at s[i]; returns how many characters it took (at
   * least 2; 1 for a backslash at the very end, kept as itself).
   */
  escape(s: string, i: number): number {
    const hex = /^[0-9A-Fa-f]{2}/.exec(s.slice(i + 1, i + 3));
    if (hex) {
      this.bytes.push(parseInt(hex[0], 16));
      return 3;
    }
    const c = s[i + 1];
    if (c === undefined) {
      this.add('\\');
      return 1;
    }
    this.add(NAMED[c] ?? c);
    return 2;
  }

  add(text: string): void {
    this.flush();
    this.text += text;
  }

  /** The text so far, and a fresh start. */
  take(): string {
    this.flush();
    const out = this.text;
    this.text = '';
    return out;
  }

  private flush(): void {
    if (this.bytes.length) this.text += Buffer.from(this.bytes).toString('utf8');
    this.bytes = [];
  }
}

/** A quoted string's inner text with its escapes applied. */
export function unescapeQuoted(s: string): string {
  const text = new EscapedText();
  let from = 0;
  for (let i = s.indexOf('\\'); i >= 0; i = s.indexOf('\\', from)) {
    if (i > from) text.add(s.slice(from, i));
    from = i + text.escape(s, i);
  }
  if (from < s.length) text.add(s.slice(from));
  return text.take();
}
