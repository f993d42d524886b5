// Where the console hands a line to the script engine: lines that use script syntax (`:put`,
// `$var`, `;`, `[/menu ...]`, `{`) run as a script; a line that opens more `{` than it closes
// waits for the lines that close them, as pasted multi-line scripts arrive. Other lines keep
// the console's plain command path.
import { ConsoleError } from '../work-budget.js';
import { runScript, type ScriptHost } from './evaluate.js';
import { parseScript, ScriptSyntaxError } from './parser.js';
import { ScriptFailure, type ScriptValue } from './values.js';

/** The globals of every console in this daemon (RouterOS keeps them until reboot). */
export const daemonGlobals = new Map<string, ScriptValue>();

/**
 * What a line looks like outside its quotes: whether it is script, and its open braces. A `;`
 * alone makes it script only when `semicolons` (`ssh router 'a; b'` splits plain lines itself).
 */
function shape(text: string, semicolons = true): { script: boolean; open: number } {
  let open = 0;
  let script = /^\s*[:(]/.test(text);
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '$' && /[A-Za-z0-9_(]/.test(text[i + 1] ?? '')) script = true;
      }
    } else if (c === '{') {
      open++;
      script = true;
    } else if (c === '}') open--;
    else if ((c === ';' && semicolons) || (c === '$' && /[A-Za-z0-9_(]/.test(text[i + 1] ?? ''))) script = true;
    else if (c === '[' && /^\[\s*[/:]/.test(text.slice(i, i + 40))) script = true;
  }
  return { script, open };
}

/** Whether a command given to `ssh router '...'` is a script, to be run whole. */
export function isScript(text: string): boolean {
  return shape(text, false).script;
}

export class ScriptLines {
  private buffer: string[] = [];

  get waiting(): boolean {
    return this.buffer.length > 0;
  }

  /** undefined: not a script line; '': the script goes on in the next line; else the script. */
  feed(line: string): string | undefined {
    if (!this.waiting && !shape(line).script) return undefined;
    this.buffer.push(line);
    const text = this.buffer.join('\n');
    if (shape(text).open > 0) return '';
    this.buffer = [];
    return text;
  }

  /** Ctrl-C: the half-pasted script is dropped. */
  clear(): void {
    this.buffer = [];
  }
}

/** Statements, or milliseconds, a script may run before it lets the event loop serve the rest. */
const SLICE_STATEMENTS = 256;
const SLICE_MS = 20;

/**
 * Paces a script: it runs in slices between which the event loop serves everything else
 * (tunnels, other consoles), so a :foreach over a big list or nested loops never holds it longer
 * than one slice (or one menu command inside, which has its own work budget); and it stops the
 * script with one line after `max` statements, as a plain command stops after its steps.
 */
export class ScriptPacer {
  private count = 0;
  private inSlice = 0;
  private sliceStart = performance.now();
  private stopped = false;

  constructor(private readonly max: number) {}

  /** Ctrl-C: the script ends at its next statement. */
  stop(): void {
    this.stopped = true;
  }

  async tick(): Promise<void> {
    if (this.stopped) throw new ScriptFailure('interrupted');
    if (++this.count > this.max) throw new ScriptFailure(`failure: script stopped, it ran over ${this.max} statements`);
    if (++this.inSlice < SLICE_STATEMENTS && performance.now() - this.sliceStart < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.inSlice = 0;
    this.sliceStart = performance.now();
  }
}

/** Parses and runs a script; the one error line that stopped it, or undefined. */
export async function runConsoleScript(text: string, host: ScriptHost): Promise<string | undefined> {
  const stmts = parseScript(text, new Set(host.globals.keys()));
  if (stmts instanceof ScriptSyntaxError) return stmts.message;
  try {
    await runScript(stmts, host);
    return undefined;
  } catch (e) {
    if (e instanceof ScriptFailure || e instanceof ConsoleError) return e.message;
    throw e;
  }
}
