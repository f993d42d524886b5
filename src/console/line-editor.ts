// The console's line editor as a pure state machine: key bytes in, terminal output and events
// out, no streams or timers, so every key is testable without a terminal. It edits one line the
// way RouterOS's console (and readline/emacs) does: Ctrl-C drops a half-typed line (shown with
// ^C, then a fresh prompt), arrows, Home/End, Ctrl-A/E/B/F/K/U/W/D, backspace/Delete, insertion
// in the middle, history on up/down; Tab and `?` are handed to the shell as events.
// The cursor is drawn on one terminal row with ANSI CSI moves (ESC [ n D/C, ESC [ K).

export type EditorEvent =
  /** Enter: the line as typed. */
  | { readonly kind: 'line'; readonly text: string }
  /** Ctrl-C: the line was dropped (the text it had), or a running command should stop. */
  | { readonly kind: 'interrupt'; readonly dropped: string }
  /** Tab: complete the text left of the cursor, then call complete(). */
  | { readonly kind: 'complete'; readonly before: string }
  /** `?` outside quotes: show help for the line, then call showPrompt(). */
  | { readonly kind: 'help'; readonly line: string };

export interface EditorOutput {
  /** Bytes for the terminal (echo, cursor moves). */
  readonly output: string;
  readonly events: readonly EditorEvent[];
}

const ESC = '\x1b';
const CSI_FINAL = /[\x40-\x7e]/;

/** Keys named by what they do; escape sequences and control bytes map onto them. */
type Key = 'left' | 'right' | 'home' | 'end' | 'up' | 'down' | 'delete' | 'backspace' | 'killEnd' | 'killStart' | 'killWord' | 'enter' | 'interrupt' | 'tab' | 'redraw';

const CONTROL_KEYS: Record<string, Key> = {
  '\x01': 'home', // Ctrl-A
  '\x02': 'left', // Ctrl-B
  '\x03': 'interrupt', // Ctrl-C
  '\x04': 'delete', // Ctrl-D (on an empty line: nothing, it does not log out)
  '\x05': 'end', // Ctrl-E
  '\x06': 'right', // Ctrl-F
  '\x08': 'backspace', // Ctrl-H
  '\x09': 'tab',
  '\x0b': 'killEnd', // Ctrl-K
  '\x0c': 'redraw', // Ctrl-L
  '\x0d': 'enter',
  '\x0a': 'enter',
  '\x0e': 'down', // Ctrl-N
  '\x10': 'up', // Ctrl-P
  '\x15': 'killStart', // Ctrl-U
  '\x17': 'killWord', // Ctrl-W
  '\x7f': 'backspace',
};

/** CSI and SS3 sequences (xterm, VT100, the Linux console, PuTTY): the part after ESC. */
const SEQUENCES: Record<string, Key> = {
  '[A': 'up',
  '[B': 'down',
  '[C': 'right',
  '[D': 'left',
  '[H': 'home',
  '[F': 'end',
  OA: 'up',
  OB: 'down',
  OC: 'right',
  OD: 'left',
  OH: 'home',
  OF: 'end',
  '[1~': 'home',
  '[7~': 'home',
  '[4~': 'end',
  '[8~': 'end',
  '[3~': 'delete',
};

const left = (n: number): string => (n > 0 ? `${ESC}[${n}D` : '');
const right = (n: number): string => (n > 0 ? `${ESC}[${n}C` : '');

export class LineEditor {
  private chars: string[] = [];
  private cursor = 0;
  private prompt = '';
  private readonly history: string[] = [];
  /** Index into history while browsing it with up/down; the line typed before is kept in draft. */
  private browsing: number | undefined;
  private draft: string[] = [];
  /** An escape sequence split across reads. */
  private pending = '';
  /** The last key was CR: a LF right after it is the same Enter (a terminal sending CR LF). */
  private afterCr = false;

  /** Echo typed keys (off while a password is typed). */
  echo = true;

  constructor(private readonly historySize = 200) {}

  get line(): string {
    return this.chars.join('');
  }

  /** The prompt followed by whatever was typed ahead, the cursor where it was. */
  showPrompt(prompt: string): string {
    this.prompt = prompt;
    return prompt + (this.echo ? this.line + left(this.chars.length - this.cursor) : '');
  }

  /** Drops typed-ahead text without output (a key that stopped a running command). */
  clear(): void {
    this.chars = [];
    this.cursor = 0;
    this.browsing = undefined;
  }

  /** Adds a submitted command to the history (the console decides: not logins, not passwords). */
  remember(line: string): void {
    if (line.trim() === '' || this.history.at(-1) === line) return;
    this.history.push(line);
    if (this.history.length > this.historySize) this.history.shift();
  }

  feed(input: string): EditorOutput {
    let out = '';
    const events: EditorEvent[] = [];
    const data = this.pending + input;
    this.pending = '';
    const chars = Array.from(data);
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === ESC) {
        const seq = readSequence(chars, i + 1);
        if (seq === undefined) {
          this.pending = chars.slice(i).join('');
          break;
        }
        i += Array.from(seq).length;
        const key = SEQUENCES[seq];
        if (key) out += this.key(key, events);
        continue;
      }
      const key = CONTROL_KEYS[c];
      if (c === '\n' && this.afterCr) {
        this.afterCr = false;
        continue;
      }
      this.afterCr = c === '\r';
      if (key) out += this.key(key, events);
      else if (c === '?' && this.echo && !insideQuotes(this.chars.slice(0, this.cursor))) events.push({ kind: 'help', line: this.line });
      else if (c >= ' ') out += this.insert([c]);
      // Other control bytes (NUL, bell, ...) do nothing.
    }
    return { output: this.echo ? out : out.includes('\n') ? '\r\n' : '', events };
  }

  /**
   * Applies completion candidates for `fragment` (the word left of the cursor): one candidate
   * replaces it (with a space after a finished word), several extend it to their common
   * prefix, or are listed when they cannot.
   */
  complete(candidates: readonly string[], fragment: string): string {
    if (candidates.length === 0) return '';
    const prefix = commonPrefix(candidates);
    if (candidates.length === 1) {
      const word = candidates[0]!;
      const finished = !/[=/]$/.test(word);
      return this.replaceBefore(fragment, word + (finished ? ' ' : ''));
    }
    if (prefix.length > fragment.length && prefix.startsWith(fragment)) return this.replaceBefore(fragment, prefix);
    return '\r\n' + candidates.join('  ') + '\r\n' + this.showPrompt(this.prompt);
  }

  private replaceBefore(fragment: string, text: string): string {
    const before = this.chars.slice(0, this.cursor).join('');
    if (!before.endsWith(fragment)) return '';
    const keep = Array.from(before.slice(0, before.length - fragment.length));
    return this.replace([...keep, ...Array.from(text), ...this.chars.slice(this.cursor)], keep.length + Array.from(text).length);
  }

  private key(key: Key, events: EditorEvent[]): string {
    const n = this.chars.length;
    switch (key) {
      case 'enter': {
        const text = this.line;
        this.clear();
        events.push({ kind: 'line', text });
        return '\r\n';
      }
      case 'interrupt': {
        // The dropped text stays on screen, followed by ^C, as RouterOS shows it.
        const dropped = this.line;
        const toEnd = n - this.cursor;
        this.clear();
        events.push({ kind: 'interrupt', dropped });
        return right(toEnd) + '^C\r\n';
      }
      case 'tab':
        if (this.echo) events.push({ kind: 'complete', before: this.chars.slice(0, this.cursor).join('') });
        return '';
      case 'left':
        if (this.cursor === 0) return '';
        this.cursor--;
        return left(1);
      case 'right':
        if (this.cursor === n) return '';
        this.cursor++;
        return right(1);
      case 'home': {
        const moved = this.cursor;
        this.cursor = 0;
        return left(moved);
      }
      case 'end': {
        const moved = n - this.cursor;
        this.cursor = n;
        return right(moved);
      }
      case 'backspace':
        if (this.cursor === 0) return '';
        if (this.cursor === n) {
          this.chars.pop();
          this.cursor--;
          return `\b${ESC}[K`;
        }
        return this.replace([...this.chars.slice(0, this.cursor - 1), ...this.chars.slice(this.cursor)], this.cursor - 1);
      case 'delete':
        if (this.cursor === n) return '';
        return this.replace([...this.chars.slice(0, this.cursor), ...this.chars.slice(this.cursor + 1)], this.cursor);
      case 'killEnd':
        return this.replace(this.chars.slice(0, this.cursor), this.cursor);
      case 'killStart':
        return this.replace(this.chars.slice(this.cursor), 0);
      case 'killWord': {
        let start = this.cursor;
        while (start > 0 && /\s/.test(this.chars[start - 1]!)) start--;
        while (start > 0 && !/\s/.test(this.chars[start - 1]!)) start--;
        return this.replace([...this.chars.slice(0, start), ...this.chars.slice(this.cursor)], start);
      }
      case 'up':
      case 'down':
        return this.browse(key === 'up' ? -1 : 1);
      case 'redraw':
        return '\r' + this.prompt + this.line + `${ESC}[K` + left(n - this.cursor);
    }
  }

  private browse(step: -1 | 1): string {
    if (this.history.length === 0) return '';
    if (this.browsing === undefined) {
      if (step === 1) return '';
      this.draft = [...this.chars];
      this.browsing = this.history.length;
    }
    const next = this.browsing + step;
    if (next < 0) return '';
    if (next >= this.history.length) {
      this.browsing = undefined;
      return this.replace(this.draft, this.draft.length);
    }
    this.browsing = next;
    const entry = Array.from(this.history[next]!);
    return this.replace(entry, entry.length);
  }

  private insert(cs: string[]): string {
    const tail = this.chars.slice(this.cursor);
    this.chars.splice(this.cursor, 0, ...cs);
    this.cursor += cs.length;
    return cs.join('') + (tail.length ? tail.join('') + left(tail.length) : '');
  }

  /** Redraws from the start of the typed text: new text, erase the rest of the row, place the cursor. */
  private replace(next: string[], cursor: number): string {
    const appended = this.cursor === this.chars.length && cursor === next.length && this.chars.every((c, i) => next[i] === c);
    if (appended) {
      // Text added at the end (a completion, a recalled longer line): only the new part is sent.
      const tail = next.slice(this.chars.length).join('');
      this.chars = next;
      this.cursor = cursor;
      return tail;
    }
    const out = left(this.cursor) + next.join('') + `${ESC}[K` + left(next.length - cursor);
    this.chars = next;
    this.cursor = cursor;
    return out;
  }
}

/** The rest of an escape sequence starting at chars[from] (after ESC), or undefined if incomplete. */
function readSequence(chars: readonly string[], from: number): string | undefined {
  const first = chars[from];
  if (first === undefined) return undefined;
  if (first === 'O') return chars[from + 1] === undefined ? undefined : 'O' + chars[from + 1];
  if (first !== '[') return first; // Alt-key: ESC and the key are dropped together
  let seq = '[';
  for (let i = from + 1; i < chars.length; i++) {
    seq += chars[i];
    if (CSI_FINAL.test(chars[i]!)) return seq;
    if (seq.length > 16) return seq; // not a sequence we know: drop it rather than wait forever
  }
  return undefined;
}

function insideQuotes(before: readonly string[]): boolean {
  let inside = false;
  for (let i = 0; i < before.length; i++) {
    if (before[i] === '\\' && inside) i++;
    else if (before[i] === '"') inside = !inside;
  }
  return inside;
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? '';
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
