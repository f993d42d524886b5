// /ip dhcp-server (with network and lease), /ip dns and /ip dns static (issue 16). Served by
// one dnsmasq the router runs from this configuration (src/system/dnsmasq-config.ts).
import { isIP } from 'node:net';
import type { RuntimeState } from '../runtime.js';
import { prop, type DynamicRow, type ListMenu, type SettingsMenu, type StatusMenu } from '../schema.js';
import {
  duration, formatDuration, integer, intToIpv4, ipv4, ipv4List, ipv4ToInt, macAddress, name, nameRef, optionalIpv4, ValueError, yesNo,
  type PropType,
} from '../types.js';

const disabled = prop(yesNo, { default: false, help: 'whether the entry is disabled', flag: { letter: 'X', label: 'disabled' } });
const invalid = (p: string) => new ValueError(`invalid value for argument ${p}`);

/** A time printed as RouterOS prints it (30m, 1d), stored in seconds. */
function time(min: number, max: number): PropType<number> {
  const base = duration(max);
  return {
    ...base,
    parse(raw, p) {
      const v = base.parse(raw, p);
      if (typeof v === 'number' && v < min) return new ValueError(`value of ${p} out of range (${min}..${max})`);
      return v;
    },
    format: formatDuration,
  };
}

const note: PropType<string> = {
  describe: 'text',
  parse: (raw, p) => (/[\x00-\x1f"\\]/.test(raw) || raw.length > 64 ? invalid(p) : raw),
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** A network prefix with host bits cleared. */
const network: PropType<string> = {
  describe: 'IP prefix',
  parse(raw, p) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(raw);
    if (!m || isIP(m[1]!) !== 4 || Number(m[2]) > 32) return invalid(p);
    const len = Number(m[2]);
    const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
    return `${intToIpv4((ipv4ToInt(m[1]!) & mask) >>> 0)}/${len}`;
  },
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** A DNS name: labels of letters, digits and hyphens. */
const hostName: PropType<string> = {
  describe: 'DNS name',
  parse: (raw, p) => (/^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*$/.test(raw) ? raw.toLowerCase() : invalid(p)),
  format: (v) => v,
  quoted: false,
  choices: [],
};

export const dhcpServer = {
  kind: 'list',
  path: '/ip dhcp-server',
  help: 'DHCP servers: addresses from a pool for the hosts on an interface',
  defaultName: 'dhcp',
  props: {
    name: prop(name, { default: '', help: 'server name' }),
    interface: prop(nameRef, { interfaceRef: 'interface', help: 'interface it serves' }),
    'address-pool': prop(nameRef, { ref: '/ip pool', help: '/ip pool the addresses come from' }),
    'lease-time': prop(time(60, 365 * 86400), { default: 1800, help: 'how long a lease lasts' }),
    disabled,
  },
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 10 },
      { key: 'interface', header: 'INTERFACE', width: 12 },
      { key: 'address-pool', header: 'ADDRESS-POOL', width: 14 },
      { key: 'lease-time', header: 'LEASE-TIME', width: 10 },
    ],
  },
} as const satisfies ListMenu;

export const dhcpServerNetwork = {
  kind: 'list',
  path: '/ip dhcp-server network',
  help: 'what DHCP clients of a network are told: gateway, DNS servers, domain',
  props: {
    address: prop(network, { help: 'the network, e.g. 192.168.88.0/24' }),
    gateway: prop(optionalIpv4, { default: '', help: 'default gateway given to clients' }),
    'dns-server': prop(ipv4List, { default: [], help: 'DNS servers given to clients' }),
    domain: prop(note, { default: '', help: 'DNS domain given to clients' }),
    comment: prop(note, { default: '', help: 'note' }),
  },
  print: {
    style: 'table',
    columns: [
      { key: 'address', header: 'ADDRESS', width: 18 },
      { key: 'gateway', header: 'GATEWAY', width: 15 },
      { key: 'dns-server', header: 'DNS-SERVER', width: 20 },
    ],
  },
} as const satisfies ListMenu;

export const dhcpServerLease = {
  kind: 'list',
  path: '/ip dhcp-server lease',
  actions: ['make-static'],
  help: 'leases: static ones configured here, dynamic ones (D) handed out',
  props: {
    address: prop(ipv4, { help: 'address the host always gets' }),
    'mac-address': prop(macAddress, { help: 'the host\'s hardware address' }),
    server: prop(nameRef, { default: 'all', ref: '/ip dhcp-server', refAlso: ['all'], help: 'DHCP server, or all' }),
    comment: prop(note, { default: '', help: 'note' }),
    disabled,
  },
  runtimeFlags: [{ letter: 'D', label: 'dynamic' }],
  runtime: {
    dynamic: (runtime: RuntimeState): readonly DynamicRow[] =>
      (runtime.dhcpLeases?.() ?? []).map((l) => ({
        key: l.mac,
        running: false,
        values: {
          address: l.address,
          'mac-address': l.mac,
          'host-name': l.hostName,
          server: l.server,
          status: 'bound',
          'expires-after': formatDuration(l.expiresAfter),
        },
      })),
    status: () => ({ running: false, values: { status: 'waiting' } }),
  },
  columns: {
    'host-name': { help: 'name the host gave' },
    status: { help: 'bound (a host holds it) or waiting' },
    'expires-after': { help: 'time left on a dynamic lease' },
  },
  print: {
    style: 'table',
    columns: [
      { key: 'address', header: 'ADDRESS', width: 15 },
      { key: 'mac-address', header: 'MAC-ADDRESS', width: 17 },
      { key: 'host-name', header: 'HOST-NAME', width: 12 },
      { key: 'server', header: 'SERVER', width: 8 },
      { key: 'status', header: 'STATUS', width: 7 },
      { key: 'expires-after', header: 'EXPIRES-AFTER', width: 13 },
    ],
  },
} as const satisfies ListMenu;

export const dns = {
  kind: 'settings',
  path: '/ip dns',
  help: 'the router\'s DNS cache: upstream servers, and whether LAN hosts may use it',
  props: {
    servers: prop(ipv4List, { default: [], help: 'upstream DNS servers' }),
    'allow-remote-requests': prop(yesNo, { default: false, help: 'answer queries from other hosts (the LAN)' }),
    'cache-size': prop(integer(0, 10000), { default: 2048, help: 'names kept in the cache' }),
  },
} as const satisfies SettingsMenu;

/** What the resolver (dnsmasq) holds: read from dnsmasq's own cache dump, never kept twice. */
export const dnsCache = {
  kind: 'status',
  path: '/ip dns cache',
  source: 'dns-cache',
  commands: ['print', 'flush', 'find'],
  help: 'records the DNS cache holds; flush empties it',
  shape: 'rows',
  columns: {
    name: { help: 'DNS name (dnsmasq shows at most 30 characters of it)', quoted: true },
    type: { help: 'A, AAAA or CNAME' },
    data: { help: 'the address, or the name a CNAME points to' },
    ttl: { help: 'time left before the record expires' },
  },
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 30 },
      { key: 'type', header: 'TYPE', width: 5 },
      { key: 'data', header: 'DATA', width: 30 },
      { key: 'ttl', header: 'TTL', width: 8 },
    ],
  },
} as const satisfies StatusMenu;

export const dnsStatic = {
  kind: 'list',
  path: '/ip dns static',
  help: 'names the router answers itself',
  props: {
    name: prop(hostName, { help: 'DNS name' }),
    address: prop(ipv4, { help: 'its IPv4 address' }),
    ttl: prop(time(0, 7 * 86400), { default: 86400, help: 'time to live of the answer' }),
    comment: prop(note, { default: '', help: 'note' }),
    disabled,
  },
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 24 },
      { key: 'address', header: 'ADDRESS', width: 15 },
      { key: 'ttl', header: 'TTL', width: 6 },
    ],
  },
} as const satisfies ListMenu;
