// Writes the host's clock (routerd --set-system-clock, on the board image): coreutils' date,
// which needs CAP_SYS_TIME (routerd.service grants it). Tests never use this: they run routerd
// without the flag, and the router keeps its own clock offset instead (src/wall-clock.ts).
import { execFile } from 'node:child_process';
import type { SystemClockSetter } from '../wall-clock.js';

export const setSystemClock: SystemClockSetter = (targetMs) =>
  new Promise((resolve) => {
    // The few ms between this call and date's clock_settime are the error of the step.
    execFile('date', ['-u', '-s', `@${(targetMs / 1000).toFixed(3)}`], { timeout: 5000 }, (err, _out, stderr) => {
      resolve(err ? (stderr.trim() || err.message) : undefined);
    });
  });
