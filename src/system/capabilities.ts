// The Linux capabilities routerd runs with, read from /proc/self/status, so the log says at
// start whether the service unit's confinement took effect (issue 19 finding 10) and the boot
// test can check it on the real image.
import { readFileSync } from 'node:fs';

// Bit numbers from linux/capability.h, only those worth naming in a router's log.
const NAMES: Readonly<Record<number, string>> = {
  0: 'chown',
  1: 'dac_override',
  5: 'kill',
  10: 'net_bind_service',
  12: 'net_admin',
  13: 'net_raw',
  16: 'sys_module',
  19: 'sys_ptrace',
  21: 'sys_admin',
  22: 'sys_boot',
  25: 'sys_time',
};

/** Effective capabilities of this process by name; undefined where /proc is not readable. */
export function effectiveCapabilities(status?: string): string[] | undefined {
  let text = status;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return undefined;
    }
  }
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  if (hex === undefined) return undefined;
  const bits = BigInt(`0x${hex}`);
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((bits >> BigInt(bit)) & 1n) names.push(NAMES[bit] ?? `cap${bit}`);
  }
  return names;
}
