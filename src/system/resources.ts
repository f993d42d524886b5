// Facts about the host for `/system resource print` (through systeminformation: uptime, CPU,
// load, memory, board model) and the board serial for the licence's software-id.
import { readFileSync, statfsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { formatDuration } from '../config/types.js';
import type { EthernetPort } from '../config/runtime.js';

export const VERSION = '0.1.0';

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)}MiB`;
}

export interface ResourceFacts {
  readonly uptime: number;
  readonly freeMemory: number;
  readonly totalMemory: number;
  readonly cpu: string;
  readonly cpuCount: number;
  readonly cpuFrequencyMHz: number;
  readonly cpuLoad: number;
  readonly loadAverage: readonly number[];
  readonly freeHddSpace: number | undefined;
  readonly architecture: string;
  readonly board: string;
  readonly platform: string;
}

export async function readResources(dataDir: string): Promise<ResourceFacts> {
  // Loaded on first use: the daemon's start (the boot's path to Login:) does not need it.
  const { default: si } = await import('systeminformation');
  const [time, mem, cpu, load, system, os] = await Promise.all([
    Promise.resolve(si.time()),
    si.mem(),
    si.cpu(),
    si.currentLoad(),
    si.system(),
    si.osInfo(),
  ]);
  let free: number | undefined;
  try {
    const st = statfsSync(dataDir);
    free = st.bavail * st.bsize;
  } catch {
    free = undefined;
  }
  const model = system.model && system.model !== 'Computer' ? system.model : '';
  return {
    uptime: Number(time.uptime),
    freeMemory: mem.available,
    totalMemory: mem.total,
    cpu: [cpu.manufacturer, cpu.brand].filter((s) => s).join(' '),
    cpuCount: cpu.cores,
    cpuFrequencyMHz: Math.round(cpu.speed * 1000),
    cpuLoad: Math.round(load.currentLoad),
    loadAverage: loadavg(),
    freeHddSpace: free,
    architecture: os.arch,
    board: [system.manufacturer, model].filter((s) => s).join(' ') || 'unknown',
    platform: os.platform,
  };
}

/** `name: value` pairs in /system resource's order. */
/** `version`: the running system slot's version on the image; the daemon's own elsewhere. */
export function resourceRecord(f: ResourceFacts, version = VERSION): (readonly [string, string])[] {
  const rows: [string, string][] = [
    ['uptime', formatDuration(f.uptime)],
    ['version', version || VERSION],
    ['free-memory', mib(f.freeMemory)],
    ['total-memory', mib(f.totalMemory)],
    ['cpu', f.cpu],
    ['cpu-count', String(f.cpuCount)],
    ['cpu-frequency', `${f.cpuFrequencyMHz}MHz`],
    ['cpu-load', `${f.cpuLoad}%`],
    ['load-average', f.loadAverage.map((l) => l.toFixed(2)).join(' ')],
  ];
  if (f.freeHddSpace !== undefined) rows.push(['free-hdd-space', mib(f.freeHddSpace)]);
  rows.push(['architecture-name', f.architecture], ['board-name', f.board], ['platform', f.platform]);
  return rows;
}

/**
 * The board's serial number (the Pi's /proc/cpuinfo Serial, a PC's DMI serial), falling back to
 * the system UUID; the licence's software-id is derived from it. Undefined when none is readable.
 * Read from the files systeminformation's system() ends up with, not through it: it runs about a
 * dozen shell commands (dmidecode, cat, ls, dmesg | grep), and under QEMU that was seconds of the
 * daemon's start before the console opened (issue 18).
 */
export async function boardSerial(): Promise<string | undefined> {
  const read = (path: string) => readFile(path, 'utf8').then((s) => s.trim(), () => '');
  const dmi = '/sys/devices/virtual/dmi/id';
  const [cpuinfo, serial, uuid] = await Promise.all([read('/proc/cpuinfo'), read(`${dmi}/product_serial`), read(`${dmi}/product_uuid`)]);
  const candidates = [/^Serial\s*:\s*(\S+)/m.exec(cpuinfo)?.[1], serial, uuid.toLowerCase()].filter(
    (s): s is string => !!s && s !== '-' && !/^0+$/.test(s) && !/default string|not specified|o\.e\.m\.|^default$/i.test(s),
  );
  return candidates[0];
}

/**
 * Wired Ethernet ports of the host (the board's NICs), for /interface ethernet. Read from
 * /sys/class/net rather than systeminformation, which starts from os.networkInterfaces() and so
 * misses a NIC that has no address yet (every port of a freshly booted router).
 */
export async function ethernetPorts(only?: readonly string[]): Promise<EthernetPort[]> {
  const { readdir, readFile, access } = await import('node:fs/promises');
  const sys = '/sys/class/net';
  const read = (name: string, file: string) => readFile(`${sys}/${name}/${file}`, 'utf8').then((s) => s.trim(), () => '');
  const ports: EthernetPort[] = [];
  const names = only ?? (await readdir(sys).catch(() => [] as string[])).sort();
  for (const name of names) {
    // type 1 is ARPHRD_ETHER; a "device" link means real hardware, not veth, bridge or tun.
    // A list given by the caller (routerd --ethernet, for namespaces and VMs) is taken as it is.
    if ((await read(name, 'type')) !== '1') continue;
    if (!only && !(await access(`${sys}/${name}/device`).then(() => true, () => false))) continue;
    const mac = await read(name, 'address');
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) continue;
    const mtu = Number(await read(name, 'mtu'));
    ports.push({
      defaultName: name,
      mac: mac.toUpperCase(),
      running: (await read(name, 'operstate')) === 'up',
      ...(mtu > 0 ? { mtu } : {}),
    });
  }
  return ports;
}

/** A link's traffic counters from /sys/class/net/DEV/statistics (zeros when it is gone). */
export function kernelCounters(device: string): { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number } {
  const read = (file: string): number => {
    try {
      return Number(readFileSync(`/sys/class/net/${device}/statistics/${file}`, 'utf8').trim()) || 0;
    } catch {
      return 0;
    }
  };
  return { rxBytes: read('rx_bytes'), txBytes: read('tx_bytes'), rxPackets: read('rx_packets'), txPackets: read('tx_packets') };
}
