// /interface pptp-client, /interface pptp-server (+ server), /interface ethernet (SPEC.md tables).
import { prop, type ListMenu, type SettingsMenu, type StatusMenu, type StoredRow } from '../schema.js';
import {
  duration, formatDuration, integer, integerOrDisabled, ipv4, macAddress, name, nameRef, oneOf, password, pppUser, setOf, yesNo,
} from '../types.js';
import type { RuntimeState } from '../runtime.js';

// A tunnel packet must fit one IPv4 datagram: 65535 less the IP header (20), the enhanced GRE
// header with sequence and acknowledgement (16) and the PPP overhead of an MPPE frame (address
// and control, protocol 0x00FD, the MPPE header and the inner protocol: 8). Larger values made
// the GRE emitter throw on the first full-sized packet (issue 19 finding 8).
export const MAX_TUNNEL_MTU = 65535 - 20 - 16 - 8;
const mtu = (help: string) => prop(integer(64, MAX_TUNNEL_MTU), { default: 1460, help });
const mrru = prop(integerOrDisabled(512, 65535), {
  default: 0,
  help: 'largest packet reassembled over multilink PPP; setting it enables MP over one link',
});
const disabled = (byDefault: boolean) =>
  prop(yesNo, { default: byDefault, help: 'whether the entry is disabled', flag: { letter: 'X', label: 'disabled' } });

export const pptpClient = {
  kind: 'list',
  path: '/interface pptp-client',
  interfaces: true,
  help: 'PPTP client tunnels',
  defaultName: 'pptp-out',
  props: {
    name: prop(name, { help: 'interface name', default: '' }),
    'max-mtu': mtu('Maximum Transmission Unit'),
    'max-mru': mtu('Maximum Receive Unit'),
    mrru,
    'connect-to': prop(ipv4, { help: 'address of the PPTP server' }),
    user: prop(pppUser, { help: 'user name on the server' }),
    password: prop(password, { default: '', help: 'password used to connect to the server', sensitive: true }),
    profile: prop(nameRef, { default: 'default', ref: '/ppp profile', help: 'PPP profile' }),
    'add-default-route': prop(yesNo, { default: false, help: 'use the server as the default gateway' }),
    allow: prop(setOf(['pap', 'chap', 'mschap1', 'mschap2'], { atLeastOne: true }), {
      default: ['pap', 'chap', 'mschap1', 'mschap2'],
      help: 'authentication methods the client accepts',
    }),
    // SPEC: yes on add; the seed adds disabled=no or enables afterwards.
    disabled: disabled(true),
  },
  print: { style: 'inline' },
  runtimeFlags: [{ letter: 'R', label: 'running' }],
  columns: {
    status: { help: 'dialing, verifying password..., connected, terminated', quoted: true },
    uptime: { help: 'time connected' },
    'idle-time': { help: 'time since the last packet' },
    encoding: { help: 'encryption and encoding in use', quoted: true },
    mtu: { help: 'effective MTU' },
    mru: { help: 'effective MRU' },
    mrru: { help: 'the peer\'s MRRU when multilink is in use' },
  },
  runtime: {
    status(row: StoredRow, rt: RuntimeState) {
      const s = rt.clientStatus(String(row.values.name));
      if (!s || row.values.disabled === true) return { running: false, values: { status: 'terminated' } };
      const values: Record<string, string> = { status: s.status };
      if (s.uptime !== undefined) values.uptime = formatDuration(s.uptime);
      if (s.idleTime !== undefined) values['idle-time'] = formatDuration(s.idleTime);
      if (s.encoding !== undefined) values.encoding = s.encoding;
      if (s.mtu !== undefined) values.mtu = String(s.mtu);
      if (s.mru !== undefined) values.mru = String(s.mru);
      if (s.mrru !== undefined) values.mrru = String(s.mrru);
      return { running: s.status === 'connected', values };
    },
  },
} as const satisfies ListMenu;

export const pptpServerSettings = {
  kind: 'settings',
  path: '/interface pptp-server server',
  help: 'PPTP server settings',
  props: {
    enabled: prop(yesNo, { default: false, help: 'whether the PPTP server accepts connections' }),
    'max-mtu': mtu('Maximum Transmission Unit'),
    'max-mru': mtu('Maximum Receive Unit'),
    mrru,
    authentication: prop(setOf(['mschap2', 'mschap1', 'chap', 'pap'], { atLeastOne: true }), {
      default: ['mschap2', 'mschap1'],
      help: 'authentication methods offered, strongest first',
    }),
    'keepalive-timeout': prop(duration(3600), {
      default: 30,
      help: 'seconds of silence before LCP echoes are sent once a second; twice this disconnects',
    }),
    'default-profile': prop(nameRef, { default: 'default', ref: '/ppp profile', help: 'profile for users' }),
  },
} as const satisfies SettingsMenu;

/**
 * What peers without an authenticated call hold now (issue 15): control connections and pending
 * calls, per source address and in total (ADDRESS "total"), against their caps, and how long
 * such a holding may last before the server closes it.
 */
export const pptpServerPending = {
  kind: 'status',
  path: '/interface pptp-server pending',
  source: 'pptp-pending',
  help: 'control connections and calls without an authenticated user, per source address and in total, with their caps',
  shape: 'rows',
  columns: {
    kind: { help: 'connections (control connections) or calls (calls before authentication)' },
    address: { help: 'the source address, or total' },
    held: { help: 'how many are held now' },
    limit: { help: 'the cap: per address, or in total' },
    timeout: { help: 'how long one may be held before it is closed' },
  },
  print: {
    style: 'table',
    columns: [
      { key: 'kind', header: 'KIND', width: 11 },
      { key: 'address', header: 'ADDRESS', width: 15 },
      { key: 'held', header: 'HELD', width: 5 },
      { key: 'limit', header: 'LIMIT', width: 5 },
      { key: 'timeout', header: 'TIMEOUT', width: 7 },
    ],
  },
} as const satisfies StatusMenu;

function sessionFor(row: StoredRow, rt: RuntimeState) {
  const pptp = rt.sessions().filter((s) => s.service === 'pptp');
  return pptp.find((s) => s.interfaceName === row.values.name) ?? pptp.find((s) => s.interfaceName === undefined && s.user === row.values.user);
}

export const pptpServer = {
  kind: 'list',
  path: '/interface pptp-server',
  interfaces: true,
  help: 'PPTP server interfaces: static entries and connected users',
  defaultName: 'pptp-in',
  props: {
    name: prop(name, { help: 'interface name', default: '' }),
    user: prop(nameRef, { help: 'user whose connection gets this interface' }),
    disabled: disabled(false),
  },
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 12 },
      { key: 'user', header: 'USER', width: 8 },
      { key: 'mtu', header: 'MTU', width: 4 },
      { key: 'client-address', header: 'CLIENT-ADDRESS', width: 14 },
      { key: 'uptime', header: 'UPTIME', width: 7 },
      { key: 'encoding', header: 'ENC...', width: 6 },
    ],
  },
  runtimeFlags: [
    { letter: 'D', label: 'dynamic' },
    { letter: 'R', label: 'running' },
  ],
  columns: {
    'client-address': { help: 'address of the connected client' },
    encoding: { help: 'encryption and encoding in use', quoted: true },
    mtu: { help: 'client MTU' },
    mru: { help: 'client MRU' },
    uptime: { help: 'time connected' },
  },
  runtime: {
    dynamicFirst: true,
    status(row: StoredRow, rt: RuntimeState) {
      const s = row.values.disabled ? undefined : sessionFor(row, rt);
      if (!s) return { running: false, values: {} };
      return { running: true, values: sessionColumns(s) };
    },
    dynamic(rt: RuntimeState, configured: readonly StoredRow[]) {
      // A dynamic row exists for a connected user that no static entry names (seed: <pptp-ex>);
      // one that a static entry names shows on that entry.
      const taken = new Set(configured.map((r) => r.values.user));
      return rt
        .sessions()
        .filter((s) => s.service === 'pptp' && (s.interfaceName === undefined || s.interfaceName.startsWith('<')))
        .filter((s) => !(taken.has(s.user) && (s.interfaceName ?? `<pptp-${s.user}>`) === `<pptp-${s.user}>`))
        .map((s) => ({
          key: s.id,
          running: true,
          values: { name: s.interfaceName ?? `<pptp-${s.user}>`, user: s.user, ...sessionColumns(s) },
        }));
    },
    removeDynamic(key: string, rt: RuntimeState) {
      return rt.disconnect(key) ? undefined : 'no such item';
    },
  },
} as const satisfies ListMenu;

function sessionColumns(s: { mtu: number; mru: number; mrru?: number; clientAddress: string; uptime: number; encoding: string }) {
  return {
    mtu: String(s.mtu),
    mru: String(s.mru),
    ...(s.mrru !== undefined ? { mrru: String(s.mrru) } : {}),
    'client-address': s.clientAddress,
    uptime: formatDuration(s.uptime),
    encoding: s.encoding,
  };
}

export const ethernet = {
  kind: 'list',
  path: '/interface ethernet',
  interfaces: true,
  help: 'Ethernet ports of the board',
  hardwareKey: 'default-name',
  props: {
    name: prop(name, { help: 'interface name' }),
    'default-name': prop(name, { help: 'name the port was found with', readOnly: true }),
    mtu: prop(integer(68, 9000), { default: 1500, help: 'Maximum Transmission Unit' }),
    'mac-address': prop(macAddress, { help: 'hardware address', readOnly: true, noExport: true }),
    arp: prop(oneOf(['disabled', 'enabled', 'proxy-arp', 'reply-only']), {
      default: 'enabled',
      help: 'ARP mode; proxy-arp answers for addresses routed elsewhere (road warrior)',
    }),
    disabled: disabled(false),
  },
  order: ['name', 'default-name', 'mtu', 'mac-address', 'arp'],
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 12 },
      { key: 'mtu', header: 'MTU', width: 4 },
      { key: 'mac-address', header: 'MAC-ADDRESS', width: 17 },
      { key: 'arp', header: 'ARP', width: 9 },
    ],
  },
  runtimeFlags: [{ letter: 'R', label: 'running' }],
  runtime: {
    status(row: StoredRow, rt: RuntimeState) {
      const port = rt.ethernetPorts().find((p) => p.defaultName === row.values['default-name']);
      return { running: !!port?.running && !row.values.disabled, values: {} };
    },
  },
} as const satisfies ListMenu;

/** `/interface`: every interface with its traffic counters (`print stats`). */
export const interfaceStatus = {
  kind: 'status',
  path: '/interface',
  source: 'interfaces',
  commands: ['print', 'get', 'find', 'enable', 'disable'],
  help: 'all interfaces; print stats shows their traffic counters',
  shape: 'rows',
  flags: [
    { letter: 'D', label: 'dynamic' },
    { letter: 'X', label: 'disabled' },
    { letter: 'R', label: 'running' },
  ],
  columns: {
    name: { help: 'interface name', quoted: true },
    type: { help: 'ether, bridge, pptp-in or pptp-out' },
    mtu: { help: 'MTU in use' },
    'rx-byte': { help: 'bytes received' },
    'tx-byte': { help: 'bytes sent' },
    'rx-packet': { help: 'packets received' },
    'tx-packet': { help: 'packets sent' },
  },
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 16 },
      { key: 'type', header: 'TYPE', width: 9 },
      { key: 'mtu', header: 'MTU', width: 5 },
    ],
  },
  printStats: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 16 },
      { key: 'rx-byte', header: 'RX-BYTE', width: 12 },
      { key: 'tx-byte', header: 'TX-BYTE', width: 12 },
      { key: 'rx-packet', header: 'RX-PACKET', width: 10 },
      { key: 'tx-packet', header: 'TX-PACKET', width: 10 },
    ],
  },
} as const satisfies StatusMenu;
