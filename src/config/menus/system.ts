// /system identity, /system license, /system resource, /system clock, /system ntp client,
// /user group, /user, /log.
import { passwordHash } from '../password-hash.js';
import { BUILTIN_GROUPS, policySet } from '../policy.js';
import { clockRecord, timeZoneName } from '../clock.js';
import type { NtpClientStatus } from '../runtime.js';
import { prop, type ListMenu, type MenuPolicy, type SettingsMenu, type StatusMenu } from '../schema.js';
import { ipv4List, name, nameRef, oneOf, text, yesNo } from '../types.js';

/** RouterOS: user management needs `policy` besides `write`. */
const userManagement: MenuPolicy = { read: ['read'], write: ['write', 'policy'] };

export const systemIdentity = {
  kind: 'settings',
  path: '/system identity',
  help: 'router name shown in the prompt',
  props: { name: prop(name, { default: 'MikroTik', help: 'router name' }) },
} as const satisfies SettingsMenu;

export const systemLicense = {
  kind: 'status',
  path: '/system license',
  source: 'licence',
  commands: ['print', 'import', 'get'],
  help: 'licence level and tunnel limit; import installs a key',
  shape: 'record',
  columns: {
    'software-id': { help: 'identifier of this board the key must name' },
    level: { help: 'licence level' },
    'tunnel-limit': { help: 'PPTP tunnels allowed at once' },
  },
} as const satisfies StatusMenu;

export const systemResource = {
  kind: 'status',
  path: '/system resource',
  source: 'resources',
  help: 'uptime, CPU, memory and board',
  shape: 'record',
  columns: {
    uptime: { help: 'time since boot' },
    version: { help: 'software version' },
    'free-memory': { help: 'free memory' },
    'total-memory': { help: 'total memory' },
    cpu: { help: 'CPU model' },
    'cpu-count': { help: 'CPU cores' },
    'cpu-frequency': { help: 'CPU clock' },
    'cpu-load': { help: 'CPU load' },
    'load-average': { help: '1, 5 and 15 minute load averages' },
    'free-hdd-space': { help: 'free space on the data partition' },
    'architecture-name': { help: 'CPU architecture' },
    'board-name': { help: 'board model' },
    platform: { help: 'platform' },
  },
} as const satisfies StatusMenu;

/**
 * The router's clock (src/wall-clock.ts): `set time= date=` moves it, time-zone-name says how it
 * is shown. time and date are not configuration: they are never exported.
 */
export const systemClock = {
  kind: 'settings',
  path: '/system clock',
  clockArguments: ['date', 'time'],
  help: 'date, time and time zone of the router; set time=hh:mm:ss date=mmm/dd/yyyy sets the clock',
  props: {
    'time-zone-autodetect': prop(yesNo, { default: false, help: 'stored only: this router has no service that locates it' }),
    'time-zone-name': prop(timeZoneName, { default: 'UTC', help: 'IANA time zone, e.g. Europe/Warsaw' }),
  },
  status: ({ now, values }) => clockRecord(new Date(now), String(values['time-zone-name'])).filter(([k]) => k !== 'time-zone-name'),
  printOrder: ['time', 'date', 'time-zone-autodetect', 'time-zone-name', 'gmt-offset', 'dst-active'],
} as const satisfies SettingsMenu;

/** RouterOS v7's NTP client (src/router/ntp-client.ts): SNTP, unicast, IPv4 servers. */
export const systemNtpClient = {
  kind: 'settings',
  path: '/system ntp client',
  help: 'NTP client: keeps the router\'s clock (the board has no real-time clock)',
  props: {
    enabled: prop(yesNo, { default: false, help: 'whether the client runs' }),
    mode: prop(oneOf(['unicast']), { default: 'unicast', help: 'unicast: ask the servers (the only mode here)' }),
    servers: prop(ipv4List, { default: [], help: 'NTP servers (IPv4 addresses); a DHCP client with use-peer-ntp adds its lease\'s' }),
  },
  status: ({ runtime }) => ntpStatusRecord(runtime.ntpStatus?.()),
} as const satisfies SettingsMenu;

function ntpStatusRecord(s: NtpClientStatus | undefined): (readonly [string, string])[] {
  const out: (readonly [string, string])[] = [
    ['dynamic-servers', (s?.dynamicServers ?? []).join(',')],
    ['status', s?.status ?? 'stopped'],
  ];
  if (s?.syncedServer !== undefined) out.push(['synced-server', s.syncedServer]);
  if (s?.syncedStratum !== undefined) out.push(['synced-stratum', String(s.syncedStratum)]);
  if (s?.offsetMs !== undefined) out.push(['system-offset', `${s.offsetMs.toFixed(3)} ms`]);
  if (s?.lastError !== undefined) out.push(['last-error', s.lastError]);
  return out;
}

/** As on RouterOS x86/CHR: not a RouterBOARD. Ansible's community.routeros reads it for facts. */
export const userGroup = {
  kind: 'list',
  path: '/user group',
  help: 'user groups: the policies (rights) their users have',
  policy: userManagement,
  props: {
    name: prop(name, { help: 'group name' }),
    policy: prop(policySet, { default: [], help: 'policies granted; !policy denies' }),
    comment: prop(text, { default: '', help: 'note' }),
  },
  builtin: Object.entries(BUILTIN_GROUPS).map(([group, policies]) => ({ name: group, policy: policies })),
  fixedBuiltin: true,
  print: { style: 'inline' },
} as const satisfies ListMenu;

export const user = {
  kind: 'list',
  path: '/user',
  help: 'console users',
  policy: userManagement,
  props: {
    name: prop(name, { help: 'login name' }),
    group: prop(nameRef, { default: 'full', ref: '/user group', help: 'group whose policies the user has' }),
    password: prop(passwordHash, { default: '', help: 'login password', secret: true }),
    comment: prop(text, { default: '', help: 'note' }),
    disabled: prop(yesNo, { default: false, help: 'whether the user may log in', flag: { letter: 'X', label: 'disabled' } }),
  },
  builtin: [{ name: 'admin', group: 'full', password: '', comment: 'system default user' }],
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 12 },
      { key: 'group', header: 'GROUP', width: 6 },
      { key: 'comment', header: 'COMMENT', width: 20 },
    ],
  },
} as const satisfies ListMenu;

export const log = {
  kind: 'status',
  path: '/log',
  source: 'log',
  help: 'the router log',
  shape: 'rows',
  columns: {
    time: { help: 'when' },
    topics: { help: 'topics' },
    message: { help: 'text' },
  },
} as const satisfies StatusMenu;

export const systemDefaultConfiguration = {
  kind: 'status',
  path: '/system default-configuration',
  source: 'default-configuration',
  help: 'the script /system reset-configuration applies (and the first boot of the board)',
  shape: 'record',
  columns: { script: { help: 'the default configuration, as console commands' } },
} as const satisfies StatusMenu;

// ---- system slots and board (issue 18) ----------------------------------------------------

export const systemPackage = {
  kind: 'status',
  path: '/system package',
  source: 'system-slots',
  help: 'the two system slots (A/B): the version each holds and which one runs',
  shape: 'rows',
  columns: {
    name: { help: 'slot' },
    version: { help: 'system version in the slot' },
    status: { help: 'running, installed, empty, or the trial state' },
  },
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'SLOT', width: 5 },
      { key: 'version', header: 'VERSION', width: 12 },
      { key: 'status', header: 'STATUS', width: 30 },
    ],
  },
} as const satisfies StatusMenu;

export const systemPackageUpdate = {
  kind: 'status',
  path: '/system package update',
  source: 'system-update',
  commands: ['print', 'install', 'get'],
  help: 'install FILE: check a signed update file on the data partition, write it to the other slot, reboot to try it',
  policy: { read: ['read'], write: ['write', 'policy', 'reboot'] },
  shape: 'record',
  columns: {
    'installed-version': { help: 'the running version' },
    'other-slot': { help: 'version in the slot not running' },
    status: { help: 'the last update outcome' },
  },
} as const satisfies StatusMenu;

export const systemRouterboard = {
  kind: 'status',
  path: '/system routerboard',
  source: 'routerboard',
  help: 'board model, serial number and firmware versions',
  shape: 'record',
  columns: {
    routerboard: { help: 'whether this is a RouterBOARD' },
    'board-name': { help: 'image board name' },
    model: { help: 'board model (device tree)' },
    'serial-number': { help: 'board serial number' },
    'firmware-type': { help: 'boot firmware' },
    'current-firmware': { help: 'running system version' },
    'kernel-version': { help: 'Linux kernel' },
    'boot-firmware': { help: 'boot partition firmware files' },
  },
} as const satisfies StatusMenu;
