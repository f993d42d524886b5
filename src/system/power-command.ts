// The board's power action: routerd --power-command PATH runs `PATH reboot` or `PATH poweroff`.
// On the image that is /usr/lib/router/power, which hands the request to systemd (the confined
// daemon has no CAP_SYS_BOOT; routerd-reboot.path runs systemctl reboot / poweroff for it).
import { execFile } from 'node:child_process';
import type { PowerAction, PowerControl } from '../cli/power.js';

export function powerCommand(path: string): PowerControl {
  return (action: PowerAction) =>
    new Promise((resolve) => {
      execFile(path, [action], { timeout: 10_000 }, (err, _stdout, stderr) => {
        if (!err) return resolve(undefined);
        const why = String(stderr).trim().split('\n').at(-1) || err.message.split('\n')[0];
        resolve(`failure: ${action} failed: ${why}`);
      });
    });
}
