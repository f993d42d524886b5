// The regular expressions of `where prop~"..."`: our own linear-time engine (parse → Thompson
// NFA → simulation), because a backtracking engine (JavaScript's RegExp) on a pattern typed at
// the console, such as `(a+)+$`, can hold the event loop for hours. POSIX extended syntax as
// RouterOS takes it, RE2's guarantees: matching time grows with text × pattern, never faster.
import { parseRegex, RegexError } from './parse.js';
import { compileProgram, ProgramTooLarge, type Instruction } from './program.js';
import { search, type StepMeter } from './search.js';

export { RegexError } from './parse.js';
export type { StepMeter } from './search.js';

export class Regex {
  private constructor(readonly source: string, private readonly program: readonly Instruction[]) {}

  /** The compiled pattern, or a RegexError whose message is one line for the console. */
  static compile(source: string): Regex | RegexError {
    const tree = parseRegex(source);
    if (tree instanceof RegexError) return tree;
    const program = compileProgram(tree);
    if (program instanceof ProgramTooLarge) return new RegexError(program.message);
    return new Regex(source, program);
  }

  /** Whether the pattern matches anywhere in text; meter is charged for the work done. */
  test(text: string, meter?: StepMeter): boolean {
    return search(this.program, text, meter);
  }
}
