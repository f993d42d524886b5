// /system reboot and /system shutdown: RouterOS asks first ("Reboot, yes? [y/N]:"); only y runs
// the board's power action (the daemon's --power-command, src/system/power-command.ts). Where the
// daemon has none (a development host, SSH exec) the command says so and asks nothing.
import type { Question } from './reset-configuration.js';
import type { Token } from './tokens.js';

export type PowerAction = 'reboot' | 'poweroff';

/** Runs the action; an error line, or undefined once the board is going down. */
export type PowerControl = (action: PowerAction) => Promise<string | undefined>;

const ASK: Record<'reboot' | 'shutdown', { readonly ask: string; readonly action: PowerAction; readonly done: string }> = {
  reboot: { ask: 'Reboot, yes? [y/N]: ', action: 'reboot', done: 'system will reboot shortly' },
  shutdown: { ask: 'Shutdown, yes? [y/N]: ', action: 'poweroff', done: 'system will shutdown shortly' },
};

export function powerQuestion(cmd: 'reboot' | 'shutdown', rest: readonly Token[], power: PowerControl | undefined): Question | string {
  if (rest[0]) return `expected end of command (line 1 column ${rest[0].start + 1})`;
  if (!power) return 'failure: not available on this system';
  const { ask, action, done } = ASK[cmd];
  return {
    ask,
    async answer(yes) {
      if (!yes) return { lines: ['action cancelled'], logout: false };
      const err = await power(action);
      return { lines: [err ?? done], logout: false };
    },
  };
}
