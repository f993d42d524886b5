// /system reset-configuration: RouterOS's factory reset. It asks first ("Dangerous! Reset
// anyway? [y/N]:"); only an answer of y resets. The reset itself is ConfigModel.reset(), whose
// change event makes the store write the default configuration with its crash-safe write (so a
// power cut right after the answer leaves either the old or the default file) and makes the
// router take down every tunnel and address it had configured.
import type { ConfigModel } from '../config/model.js';
import { yesNo, ValueError } from '../config/types.js';
import type { Token } from './tokens.js';

export interface Answer {
  readonly lines: string[];
  readonly logout: boolean;
  /** The question that follows (`/password` asks three in a row). */
  readonly next?: Question;
}

/** A question the shell asks before it acts; the next typed line is the answer. */
export interface Question {
  readonly ask: string;
  /** The answer is a password: not echoed on a terminal, not kept in the history. */
  readonly secret?: boolean;
  /** Runs with the answer (yes: whether it was y; line: as typed); the lines to print and whether the session ends. */
  answer(yes: boolean, line: string): Answer | Promise<Answer>;
}

/**
 * RouterOS's no-defaults= and skip-backup=: no-defaults=yes leaves the configuration empty
 * instead of applying the default configuration (/system default-configuration); the reset
 * keeps no backup file, so skip-backup changes nothing.
 */
const OPTIONS = ['no-defaults', 'skip-backup'];

export function resetConfiguration(model: ConfigModel, rest: readonly Token[], applyDefaults?: () => void): Question | string {
  let defaults = true;
  for (const t of rest) {
    if (t.key === undefined) return `expected end of command (line 1 column ${t.start + 1})`;
    if (!OPTIONS.includes(t.key)) return `expected end of command (unknown parameter ${t.key})`;
    const v = yesNo.parse(t.text, t.key);
    if (v instanceof ValueError) return v.message;
    if (t.key === 'no-defaults' && v) defaults = false;
  }
  return {
    ask: 'Dangerous! Reset anyway? [y/N]: ',
    answer(yes) {
      if (!yes) return { lines: ['action cancelled'], logout: false };
      model.reset();
      if (defaults) applyDefaults?.();
      return { lines: ['system configuration will be reset'], logout: true };
    },
  };
}

/** RouterOS takes y or Y; anything else (an empty line included) is No. */
export function isYes(line: string): boolean {
  return /^\s*y(es)?\s*$/i.test(line);
}
