// Kernel switches the router flips: IPv4 forwarding and proxy-ARP per interface (RouterOS
// `arp=proxy-arp`). Written through /proc/sys, inside the namespace when the runner has one.
import { readFile, writeFile } from 'node:fs/promises';
import { type CommandRunner, type SystemResult, failed, ok } from './command.js';

/** A key as sysctl spells it ("net.ipv4.ip_forward") or as path segments (for names with dots). */
export type SysctlKey = string | readonly string[];

function path(key: SysctlKey): string {
  const segments = typeof key === 'string' ? key.split('.') : key;
  return `/proc/sys/${segments.join('/')}`;
}

export async function writeSysctl(runner: CommandRunner, key: SysctlKey, value: string): Promise<SystemResult<void>> {
  if (runner.netns !== undefined) {
    const r = await runner.run(['tee', path(key)], `${value}\n`);
    return r.ok ? ok(undefined) : r;
  }
  try {
    await writeFile(path(key), `${value}\n`);
    return ok(undefined);
  } catch (e) {
    return failed(['write', path(key), value], -1, String(e));
  }
}

export async function readSysctl(runner: CommandRunner, key: SysctlKey): Promise<SystemResult<string>> {
  if (runner.netns !== undefined) {
    const r = await runner.run(['cat', path(key)]);
    return r.ok ? ok(r.value.trim()) : r;
  }
  try {
    return ok((await readFile(path(key), 'utf8')).trim());
  } catch (e) {
    return failed(['read', path(key)], -1, String(e));
  }
}

export function setIpForwarding(runner: CommandRunner, on: boolean): Promise<SystemResult<void>> {
  return writeSysctl(runner, 'net.ipv4.ip_forward', on ? '1' : '0');
}

export function setProxyArp(runner: CommandRunner, device: string, on: boolean): Promise<SystemResult<void>> {
  // Interface names may contain dots (VLANs), which stay dots inside /proc/sys.
  return writeSysctl(runner, ['net', 'ipv4', 'conf', device, 'proxy_arp'], on ? '1' : '0');
}
