// The console's view of the system slots and the board (FirmwareView in src/cli/shell.ts):
// /system package, /system package update install, /tool fetch, /system routerboard.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { release } from 'node:os';
import { join, resolve } from 'node:path';
import type { FirmwareView } from '../cli/shell.js';
import { fetchTarget, fetchToFile } from './fetch.js';
import type { Firmware } from './firmware.js';

const UPDATE_SUFFIX = '.upd';

export function firmwareView(fw: Firmware, dataDir: string, serial: () => Promise<string | undefined>): FirmwareView {
  return {
    packages: () => fw.packages(),
    updateRecord() {
      const boot = fw.boot();
      const rows = fw.packages();
      if (!boot || typeof rows === 'string') return 'failure: not booted from an A/B system image';
      const other = rows.find((r) => r.slot !== boot.slot)!;
      const status = boot.rolledBack ? `update to ${boot.rolledBack} rolled back` : other.status;
      return [
        ['installed-version', boot.version],
        ['other-slot', other.version ? `${other.slot}: ${other.version}` : `${other.slot}: empty`],
        ['status', status],
      ];
    },
    async install(file, line) {
      let name = file;
      if (name === undefined) {
        const found = readdirSync(dataDir).filter((f) => f.endsWith(UPDATE_SUFFIX));
        if (found.length !== 1) {
          return found.length === 0
            ? `failure: no update file (*${UPDATE_SUFFIX}) on the data partition; give file=NAME`
            : `failure: ${found.length} update files on the data partition (${found.join(', ')}); give file=NAME`;
        }
        name = found[0]!;
      }
      if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/.test(name)) return `failure: bad file name "${name}"`;
      const result = fw.install(resolve(dataDir, name), line);
      if (!result.ok) return result.line;
      line(result.line);
      line('rebooting...');
      return fw.requestReboot(result.tryboot);
    },
    async fetch(url, dstPath, line) {
      const target = fetchTarget(url, dstPath);
      if (typeof target === 'string') return target;
      try {
        const bytes = await fetchToFile(target.url, dataDir, target.name);
        line(`      status: finished\n  downloaded: ${Math.round(bytes / 1024)}KiB\n    dst-path: ${target.name}`);
        return undefined;
      } catch (e) {
        return `failure: fetch ${target.url.href}: ${(e as Error).message}`;
      }
    },
    async routerboard() {
      const dt = (f: string): string => {
        try {
          return readFileSync(join('/proc/device-tree', f), 'utf8').replace(/\0+$/, '').trim();
        } catch {
          return '';
        }
      };
      const boot = fw.boot();
      const versions = bootVersions();
      const pi = existsSync('/boot/firmware/start4.elf') || existsSync('/boot/firmware/start.elf');
      return [
        ['routerboard', 'no'],
        ['board-name', fw.board() || 'unknown'],
        ['model', dt('model') || 'unknown'],
        ['serial-number', dt('serial-number') || (await serial()) || 'unknown'],
        ['firmware-type', pi ? 'raspberrypi' : dt('compatible').includes('virt') ? 'qemu' : 'unknown'],
        ['current-firmware', boot?.version ?? 'unknown'],
        ['kernel-version', release()],
        ['boot-firmware', versions.get('raspi-firmware') ?? 'none'],
      ];
    },
  };
}

/** Package versions assemble.sh wrote to the boot partition (ab/versions: name=version). */
function bootVersions(): Map<string, string> {
  const m = new Map<string, string>();
  try {
    for (const l of readFileSync('/boot/firmware/ab/versions', 'utf8').split('\n')) {
      const i = l.indexOf('=');
      if (i > 0) m.set(l.slice(0, i), l.slice(i + 1));
    }
  } catch {
    // Not on the image.
  }
  return m;
}
