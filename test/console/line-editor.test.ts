// The line editor without sockets: keys in, and what a terminal would show (a small VT100 row
// model interprets the output), the line submitted and the events.
import t from 'tap';
import fc from 'fast-check';
import { LineEditor, type EditorEvent } from '../../src/console/line-editor.js';

/** Just enough of a terminal: rows of text, a cursor, CR, LF, BS, CSI n C/D and CSI K. */
class Screen {
  rows: string[][] = [[]];
  col = 0;
  apply(text: string): void {
    const out = Array.from(text);
    for (let i = 0; i < out.length; i++) {
      const c = out[i]!;
      const row = this.rows[this.rows.length - 1]!;
      if (c === '\r') this.col = 0;
      else if (c === '\n') this.rows.push([]);
      else if (c === '\b') this.col = Math.max(0, this.col - 1);
      else if (c === '\x1b') {
        const m = /^\[(\d*)([CDK])/.exec(out.slice(i + 1, i + 8).join(''));
        if (!m) throw new Error(`unexpected escape ${JSON.stringify(out.slice(i, i + 6).join(''))}`);
        const n = m[1] === '' ? 1 : Number(m[1]);
        if (m[2] === 'C') this.col += n;
        else if (m[2] === 'D') this.col = Math.max(0, this.col - n);
        else row.length = Math.min(row.length, this.col);
        i += m[0].length;
      } else {
        while (row.length < this.col) row.push(' ');
        row[this.col++] = c;
      }
    }
  }
  get current(): string {
    return this.rows[this.rows.length - 1]!.join('');
  }
  get text(): string {
    return this.rows.map((r) => r.join('')).join('\n');
  }
}

function session(prompt = '> ') {
  const ed = new LineEditor();
  const screen = new Screen();
  const events: EditorEvent[] = [];
  screen.apply(ed.showPrompt(prompt));
  return {
    ed,
    screen,
    events,
    type(keys: string) {
      const r = ed.feed(keys);
      screen.apply(r.output);
      events.push(...r.events);
      for (const e of r.events) if (e.kind === 'line') ed.remember(e.text);
      for (const e of r.events) if (e.kind === 'line' || e.kind === 'interrupt') screen.apply(ed.showPrompt(prompt));
    },
    lines: () => events.filter((e) => e.kind === 'line').map((e) => (e as { text: string }).text),
  };
}

const LEFT = '\x1b[D';
const RIGHT = '\x1b[C';
const UP = '\x1b[A';
const DOWN = '\x1b[B';
const HOME = '\x1b[H';
const END = '\x1b[F';
const DEL = '\x1b[3~';

t.test('Ctrl-C drops a half-typed line: shown with ^C, a fresh prompt, and the next command runs alone', async (t) => {
  const s = session();
  s.type('/ppp secret remove 0');
  s.type('\x03');
  t.same(s.events, [{ kind: 'interrupt', dropped: '/ppp secret remove 0' }]);
  t.equal(s.screen.rows[0]!.join(''), '> /ppp secret remove 0^C', 'the dropped text stays on screen with ^C');
  t.equal(s.screen.current, '> ', 'a fresh prompt');
  s.type('/ip address print\r');
  t.same(s.lines(), ['/ip address print'], 'only the new command is submitted');
});

t.test('Ctrl-C with the cursor mid-line prints ^C after the whole text', async (t) => {
  const s = session();
  s.type('abcdef' + LEFT + LEFT + LEFT + '\x03');
  t.equal(s.screen.rows[0]!.join(''), '> abcdef^C');
});

t.test('cursor keys, Home/End and insertion in the middle', async (t) => {
  const s = session();
  s.type('/ip route prnt');
  s.type(LEFT + LEFT + 'i');
  t.equal(s.screen.current, '> /ip route print');
  t.equal(s.screen.col, '> /ip route pri'.length, 'the cursor stays after the inserted key');
  s.type(HOME + '/' + END + ' detail');
  t.equal(s.screen.current, '> //ip route print detail');
  s.type('\x01' + DEL + '\x05\r');
  t.same(s.lines(), ['/ip route print detail'], 'Ctrl-A, Delete, Ctrl-E');
  s.type('xyz' + '\x1bOH' + 'a' + '\x1bOF' + 'b' + '\x1b[1~' + 'c' + '\x1b[4~' + 'd\r');
  t.same(s.lines().at(-1), 'caxyzbd', 'SS3 and VT220 Home/End too');
  s.type('ab' + '\x02' + '\x02' + 'X' + '\x06' + 'Y\r');
  t.same(s.lines().at(-1), 'XaYb', 'Ctrl-B / Ctrl-F');
});

t.test('backspace and delete, at the end and in the middle', async (t) => {
  const s = session();
  s.type('abcd\x7f');
  t.equal(s.screen.current, '> abc');
  s.type(LEFT + '\x7f');
  t.equal(s.screen.current, '> ac');
  s.type(HOME + DEL);
  t.equal(s.screen.current, '> c');
  s.type(HOME + '\x7f' + END + DEL + '\x04' + '\x08');
  t.equal(s.screen.current, '> ', 'Ctrl-H deletes; keys at the edges do nothing');
  s.type('\r');
  t.same(s.lines(), ['']);
});

t.test('Ctrl-K, Ctrl-U and Ctrl-W', async (t) => {
  const s = session();
  s.type('/interface print detail' + LEFT.repeat(7) + '\x0b');
  t.equal(s.screen.current, '> /interface print');
  s.type('\x17');
  t.equal(s.screen.current, '> /interface ', 'Ctrl-W removes the word before the cursor');
  s.type('\x17');
  t.equal(s.screen.current, '> ');
  s.type('abc def' + LEFT.repeat(3) + '\x15');
  t.equal(s.screen.current, '> def', 'Ctrl-U removes what is left of the cursor');
  t.equal(s.screen.col, 2);
  s.type('\r');
  t.same(s.lines(), ['def']);
});

t.test('history: up and down, with the draft line kept', async (t) => {
  const s = session();
  s.type('one\r');
  s.type('two\r');
  s.type('two\r');
  s.type('   \r');
  s.type('dra');
  s.type(UP);
  t.equal(s.screen.current, '> two', 'a repeated line and a blank one are not stored twice');
  s.type(UP);
  t.equal(s.screen.current, '> one');
  s.type(UP);
  t.equal(s.screen.current, '> one', 'the oldest stays');
  s.type(DOWN);
  t.equal(s.screen.current, '> two');
  s.type(DOWN);
  t.equal(s.screen.current, '> dra', 'back to the draft');
  s.type(DOWN + '\x10\x10' + ' x\r');
  t.same(s.lines().at(-1), 'one x', 'Ctrl-P too, and the recalled line can be edited');
});

t.test('Tab and ? are events; completion replaces, extends or lists', async (t) => {
  const s = session();
  s.type('/interface pptp-cl\t');
  t.same(s.events.at(-1), { kind: 'complete', before: '/interface pptp-cl' });
  s.screen.apply(s.ed.complete(['pptp-client'], 'pptp-cl'));
  t.equal(s.screen.current, '> /interface pptp-client ', 'a finished word gets its space');
  s.type('na\t');
  s.screen.apply(s.ed.complete(['name='], 'na'));
  t.equal(s.screen.current, '> /interface pptp-client name=', 'no space after key=');
  s.type('\x15p\t');
  s.screen.apply(s.ed.complete(['ppp', 'pptp'], 'p'));
  t.equal(s.screen.current, '> pp', 'extended to the common prefix');
  s.screen.apply(s.ed.complete(['ppp', 'pptp'], 'pp'));
  t.match(s.screen.text, /\nppp  pptp\n> pp$/, 'listed when they cannot be extended, the line redrawn');
  s.type('?');
  t.same(s.events.at(-1), { kind: 'help', line: 'pp' });
  t.equal(s.ed.line, 'pp', '? is not inserted');
  s.type('\x15print where comment="a?"');
  t.equal(s.ed.line, 'print where comment="a?"', 'a ? inside quotes is text');
});

t.test('CR LF is one Enter; escape sequences split across reads still work', async (t) => {
  const s = session();
  s.type('a\r\nb\n');
  t.same(s.lines(), ['a', 'b']);
  s.type('xy\x1b');
  s.type('[');
  s.type('D');
  s.type('Z\r');
  t.same(s.lines().at(-1), 'xZy');
  s.type('q\x1bbw\x1b[99;5Xv\x07\r');
  t.same(s.lines().at(-1), 'qwv', 'Alt-keys, unknown sequences and bells are dropped');
});

t.test('echo off (a password): nothing shown, the line still arrives, no history events', async (t) => {
  const ed = new LineEditor();
  ed.echo = false;
  const r = ed.feed('s3cr?t\t\r');
  t.equal(r.output, '\r\n');
  t.same(r.events, [{ kind: 'line', text: 's3cr?t' }]);
});

t.test('typed-ahead text survives a new prompt; clear() drops it', async (t) => {
  const ed = new LineEditor();
  ed.feed('abc' + LEFT);
  t.equal(ed.showPrompt('[admin@R] > '), '[admin@R] > abc\x1b[1D');
  ed.clear();
  t.equal(ed.showPrompt('> '), '> ');
});

t.test('whatever keys are typed, the screen shows the prompt and the line, the cursor on its place', async (t) => {
  const keys = fc.constantFrom('a', 'b', ' ', 'é', '😀', LEFT, RIGHT, HOME, END, DEL, '\x7f', '\x0b', '\x15', '\x17', '\x01', '\x05', UP, DOWN);
  fc.assert(
    fc.property(fc.array(keys, { maxLength: 40 }), (seq) => {
      const ed = new LineEditor();
      ed.remember('history one');
      ed.remember('x');
      const screen = new Screen();
      screen.apply(ed.showPrompt('> '));
      let cursor: number;
      for (const k of seq) screen.apply(ed.feed(k).output);
      // Columns count code points here; the editor draws one cell per code point.
      const shown = screen.rows[0]!.slice(2).join('');
      const line = ed.line;
      cursor = screen.col - 2;
      if (shown !== line) throw new Error(`screen ${JSON.stringify(shown)} but line ${JSON.stringify(line)}`);
      if (cursor < 0 || cursor > Array.from(line).length) throw new Error(`cursor ${cursor} outside ${JSON.stringify(line)}`);
      // Typing a marker shows it where the editor inserted it.
      screen.apply(ed.feed('#').output);
      if (screen.rows[0]!.slice(2).join('') !== ed.line || ed.line.indexOf('#') !== Array.from(line).slice(0, cursor).join('').length) {
        throw new Error(`insertion at ${cursor} of ${JSON.stringify(line)} gave ${JSON.stringify(ed.line)}`);
      }
    }),
    { numRuns: 2000 },
  );
  t.pass('screen and line agree');
});
