// POSIX extended regular expressions (what RouterOS's `~` takes) parsed into a small tree.
// Syntax: literals, `.`, bracket expressions ([a-z], [^...], [[:alpha:]]), anchors ^ $, groups,
// alternation, * + ? and {m}, {m,}, {m,n} with counts up to MAX_REPEAT. Beyond POSIX, the RE2
// shorthands \d \w \s (and their negations) are taken. What would need backtracking
// (backreferences) or is not regular is refused with a RegexError naming the problem.

/** Inclusive code point ranges; `negated` inverts the set. */
export interface CharSet {
  readonly ranges: readonly (readonly [number, number])[];
  readonly negated: boolean;
}

export type RegexNode =
  | { readonly kind: 'empty' }
  | { readonly kind: 'set'; readonly set: CharSet }
  | { readonly kind: 'bol' }
  | { readonly kind: 'eol' }
  | { readonly kind: 'concat'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'alternate'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'repeat'; readonly node: RegexNode; readonly min: number; readonly max: number | undefined };

export class RegexError {
  constructor(readonly message: string) {}
}

/** RE2 allows 1000; 255 (POSIX's RE_DUP_MAX) is plenty for matching names and addresses. */
export const MAX_REPEAT = 255;

const ASCII_CLASSES: Record<string, readonly (readonly [number, number])[]> = {
  alpha: [r('A', 'Z'), r('a', 'z')],
  digit: [r('0', '9')],
  alnum: [r('0', '9'), r('A', 'Z'), r('a', 'z')],
  upper: [r('A', 'Z')],
  lower: [r('a', 'z')],
  space: [r(' ', ' '), [0x09, 0x0d]],
  blank: [r(' ', ' '), [0x09, 0x09]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  print: [[0x20, 0x7e]],
  graph: [[0x21, 0x7e]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  xdigit: [r('0', '9'), r('A', 'F'), r('a', 'f')],
  word: [r('0', '9'), r('A', 'Z'), r('a', 'z'), r('_', '_')],
};

const SHORTHANDS: Record<string, { readonly cls: string; readonly negated: boolean }> = {
  d: { cls: 'digit', negated: false },
  D: { cls: 'digit', negated: true },
  w: { cls: 'word', negated: false },
  W: { cls: 'word', negated: true },
  s: { cls: 'space', negated: false },
  S: { cls: 'space', negated: true },
};

const CONTROL_ESCAPES: Record<string, number> = { n: 0x0a, t: 0x09, r: 0x0d, f: 0x0c, v: 0x0b };

function r(a: string, b: string): readonly [number, number] {
  return [a.codePointAt(0)!, b.codePointAt(0)!];
}

function single(cp: number): RegexNode {
  return { kind: 'set', set: { ranges: [[cp, cp]], negated: false } };
}

export function parseRegex(pattern: string): RegexNode | RegexError {
  const p = new Parser(Array.from(pattern, (c) => c.codePointAt(0)!));
  try {
    const node = p.alternation();
    if (!p.done()) return new RegexError(`unmatched ) at position ${p.pos + 1}`);
    return node;
  } catch (e) {
    if (e instanceof RegexError) return e;
    throw e;
  }
}

class Parser {
  pos = 0;
  constructor(private readonly cps: readonly number[]) {}

  done(): boolean {
    return this.pos >= this.cps.length;
  }

  private peek(offset = 0): string | undefined {
    const cp = this.cps[this.pos + offset];
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  alternation(): RegexNode {
    const items = [this.concatenation()];
    while (this.peek() === '|') {
      this.pos++;
      items.push(this.concatenation());
    }
    return items.length === 1 ? items[0]! : { kind: 'alternate', items };
  }

  private concatenation(): RegexNode {
    const items: RegexNode[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    if (items.length === 0) return { kind: 'empty' };
    return items.length === 1 ? items[0]! : { kind: 'concat', items };
  }

  private quantified(atom: RegexNode): RegexNode {
    let node = atom;
    let quantifiers = 0;
    for (;;) {
      const at = this.pos;
      const bounds = this.quantifier();
      if (!bounds) return node;
      if (quantifiers > 0) throw new RegexError(`bad repetition operator at position ${at + 1}`);
      if (node.kind === 'bol' || node.kind === 'eol') throw new RegexError(`nothing to repeat at position ${at + 1}`);
      node = { kind: 'repeat', node, min: bounds[0], max: bounds[1] };
      quantifiers++;
    }
  }

  /** `*`, `+`, `?` or a valid `{m,n}`; a `{` that does not start one is a literal, as in RE2. */
  private quantifier(): [number, number | undefined] | undefined {
    const c = this.peek();
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      return c === '*' ? [0, undefined] : c === '+' ? [1, undefined] : [0, 1];
    }
    if (c !== '{') return undefined;
    const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 16));
    const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
    if (min > MAX_REPEAT || (max !== undefined && (max > MAX_REPEAT || max < min))) {
      throw new RegexError(`bad repetition count ${m[0]} (at most ${MAX_REPEAT}) at position ${this.pos + 1}`);
    }
    this.pos += m[0].length;
    return [min, max];
  }

  private atom(): RegexNode {
    const at = this.pos;
    const c = this.peek()!;
    this.pos++;
    switch (c) {
      case '(': {
        const inner = this.alternation();
        if (this.peek() !== ')') throw new RegexError(`missing ) for ( at position ${at + 1}`);
        this.pos++;
        // Wrapped, so a group around an anchor, `(^)*`, may be repeated as a bare anchor may not.
        return { kind: 'concat', items: [inner] };
      }
      case '[':
        return { kind: 'set', set: this.bracket(at) };
      case '.':
        return { kind: 'set', set: { ranges: [], negated: true } };
      case '^':
        return { kind: 'bol' };
      case '$':
        return { kind: 'eol' };
      case '*':
      case '+':
      case '?':
        throw new RegexError(`nothing to repeat at position ${at + 1}`);
      case '\\':
        return this.escape(at);
      default:
        if (c === '{' && this.quantifierAhead(at)) throw new RegexError(`nothing to repeat at position ${at + 1}`);
        return single(c.codePointAt(0)!);
    }
  }

  private quantifierAhead(at: number): boolean {
    const rest = String.fromCodePoint(...this.cps.slice(at, at + 16));
    return /^\{\d+(,\d*)?\}/.test(rest);
  }

  private escape(at: number): RegexNode {
    const c = this.peek();
    if (c === undefined) throw new RegexError('trailing backslash at end of pattern');
    this.pos++;
    if (/[1-9]/.test(c)) throw new RegexError(`backreference \\${c} is not supported (position ${at + 1})`);
    const short = SHORTHANDS[c];
    if (short) return { kind: 'set', set: { ranges: ASCII_CLASSES[short.cls]!, negated: short.negated } };
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return single(control);
    if (/[A-Za-z0-9]/.test(c)) throw new RegexError(`unsupported escape \\${c} at position ${at + 1}`);
    return single(c.codePointAt(0)!);
  }

  /** After `[`: POSIX bracket expression; a backslash inside is an ordinary character. */
  private bracket(at: number): CharSet {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: (readonly [number, number])[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new RegexError(`missing ] for [ at position ${at + 1}`);
      if (c === ']' && !first) {
        this.pos++;
        return { ranges, negated };
      }
      first = false;
      if (c === '[' && (this.peek(1) === ':' || this.peek(1) === '=' || this.peek(1) === '.')) {
        ranges.push(...this.bracketClass());
        continue;
      }
      this.pos++;
      const lo = c.codePointAt(0)!;
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.pos++;
        const hiChar = this.peek()!;
        if (hiChar === '[' && this.peek(1) === ':') throw new RegexError(`bad character range at position ${this.pos + 1}`);
        this.pos++;
        const hi = hiChar.codePointAt(0)!;
        if (hi < lo) throw new RegexError(`bad character range ${c}-${hiChar} at position ${this.pos - 1}`);
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
  }

  private bracketClass(): (readonly [number, number])[] {
    const start = this.pos;
    const kind = this.peek(1)!;
    const text = String.fromCodePoint(...this.cps.slice(this.pos));
    const close = text.indexOf(`${kind}]`, 2);
    if (close < 0) throw new RegexError(`missing ${kind}] at position ${start + 1}`);
    const name = text.slice(2, close);
    this.pos += Array.from(text.slice(0, close + 2)).length;
    if (kind !== ':') throw new RegexError(`[${kind}${name}${kind}] is not supported (position ${start + 1})`);
    const cls = ASCII_CLASSES[name];
    if (!cls || name === 'word') throw new RegexError(`unknown character class [:${name}:] at position ${start + 1}`);
    return [...cls];
  }
}
