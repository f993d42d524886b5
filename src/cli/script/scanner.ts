// The character-level reader under the script parser: position, line and column for error
// lines, and the small lexical classes RouterOS scripts use. Menu commands inside a script are
// read as raw text (their own tokenizer is src/cli/tokens.ts), so the parser asks for tokens
// one at a time rather than lexing the whole script up front.

export class SyntaxFail extends Error {}

export class Scanner {
  i = 0;

  constructor(readonly src: string) {}

  get ch(): string {
    return this.src[this.i] ?? '';
  }

  at(offset: number): string {
    return this.src[this.i + offset] ?? '';
  }

  get done(): boolean {
    return this.i >= this.src.length;
  }

  where(pos = this.i): string {
    const before = this.src.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - (before.lastIndexOf('\n') + 1) + 1;
    return `(line ${line} column ${column})`;
  }

  fail(message: string, pos = this.i): never {
    throw new SyntaxFail(`${message} ${this.where(pos)}`);
  }

  /** Spaces and tabs, and a `\` that continues the line. */
  blanks(): void {
    for (;;) {
      if (this.ch === ' ' || this.ch === '\t' || this.ch === '\r') this.i++;
      else if (this.ch === '\\' && (this.at(1) === '\n' || (this.at(1) === '\r' && this.at(2) === '\n'))) this.i += this.at(1) === '\n' ? 2 : 3;
      else return;
    }
  }

  /** Blanks and line ends (inside parentheses and arrays a line may break anywhere). */
  space(): void {
    for (;;) {
      this.blanks();
      if (this.ch === '\n') this.i++;
      else return;
    }
  }

  /** Reads a run of characters matching re (one character class); '' when none. */
  run(re: RegExp): string {
    const start = this.i;
    while (!this.done && re.test(this.ch)) this.i++;
    return this.src.slice(start, this.i);
  }

  eat(s: string): boolean {
    if (this.src.startsWith(s, this.i)) {
      this.i += s.length;
      return true;
    }
    return false;
  }

  expect(s: string): void {
    if (!this.eat(s)) this.fail(this.done ? `missing ${s}` : 'syntax error');
  }
}

/** Characters of a variable name: `$name`, `:local name`. */
export const NAME_CHAR = /[A-Za-z0-9_]/;
/** Characters of a bare word in argument position (`:put hello`, `:local p ether1`). */
export const BARE_CHAR = /[^\s;{}[\]()"$]/;
/** The commands of the subset; anything else after `:` is refused before anything runs. */
export const SCRIPT_COMMANDS = ['put', 'local', 'global', 'set', 'if', 'foreach', 'len', 'tostr', 'tonum'] as const;
