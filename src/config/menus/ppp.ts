// /ppp secret, /ppp profile, /ppp active (SPEC.md; print detail as in the seed), /ppp login-throttle.
import { prop, type ListMenu, type StatusMenu } from '../schema.js';
import { ipv4List, ipv4OrPool, name, nameRef, oneOf, optionalDuration, optionalNameRef, optionalIpv4, password, pppRoutes, text, ValueError, yesNo, type PropType } from '../types.js';
import { parseRateLimit } from '../rate-limit.js';

/** RouterOS's `rx/tx` rate-limit ("2M/4M"); empty: none. Parts this router does not shape are refused. */
const rateLimit: PropType<string> = {
  describe: 'rx-rate[/tx-rate] in bits/s with k, M, G (empty: none)',
  parse(raw, prop) {
    if (raw === '') return '';
    const r = parseRateLimit(raw);
    return typeof r === 'string' ? new ValueError(`invalid value for argument ${prop}: ${r}`) : raw;
  },
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** MPPC (RFC 2118) is not implemented: yes is refused at the console, so it is never silently ignored. */
const useCompression: PropType<string> = {
  describe: 'default | no (MPPC compression is not implemented)',
  parse(raw, prop) {
    if (raw === 'yes') return new ValueError(`${prop}=yes refused: MPPC compression is not implemented (the link runs uncompressed)`);
    return raw === 'default' || raw === 'no' ? raw : new ValueError(`input does not match any value of ${prop}`);
  },
  format: (v) => v,
  quoted: false,
  choices: ['default', 'no'],
};

const disabled = prop(yesNo, { default: false, help: 'whether the entry is disabled', flag: { letter: 'X', label: 'disabled' } });

export const pppSecret = {
  kind: 'list',
  path: '/ppp secret',
  help: 'PPP users: names, passwords and addresses',
  props: {
    name: prop(name, { help: 'user name' }),
    service: prop(oneOf(['any', 'async', 'l2tp', 'ovpn', 'pppoe', 'pptp', 'sstp']), {
      default: 'any',
      help: 'service the user may connect with',
    }),
    'caller-id': prop(text, { default: '', help: 'peer address the user must connect from (empty: any)' }),
    password: prop(password, { default: '', help: 'user password', sensitive: true }),
    profile: prop(nameRef, { default: 'default', ref: '/ppp profile', help: 'PPP profile' }),
    'local-address': prop(optionalIpv4, { default: '', help: 'router address inside the tunnel' }),
    'remote-address': prop(ipv4OrPool, {
      default: '',
      ref: '/ip pool',
      help: 'address given to the user, or an /ip pool name',
    }),
    routes: prop(pppRoutes, {
      default: '',
      help: '"dst-address gateway distance" routes installed while the user is connected',
    }),
    disabled,
  },
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 12 },
      { key: 'service', header: 'SERVICE', width: 7 },
      { key: 'caller-id', header: 'CALLER-ID', width: 15 },
      { key: 'password', header: 'PASSWORD', width: 12 },
      { key: 'profile', header: 'PROFILE', width: 18 },
      { key: 'remote-address', header: 'REMOTE-ADDRESS', width: 15 },
    ],
  },
} as const satisfies ListMenu;

const tri = oneOf(['default', 'no', 'yes']);

export const pppProfile = {
  kind: 'list',
  path: '/ppp profile',
  help: 'PPP profiles: settings shared by users',
  props: {
    name: prop(name, { help: 'profile name' }),
    'local-address': prop(ipv4OrPool, { default: '', ref: '/ip pool', help: 'router address or pool' }),
    'remote-address': prop(ipv4OrPool, { default: '', ref: '/ip pool', help: 'peer address or pool' }),
    'dns-server': prop(ipv4List, { default: [], help: 'DNS servers offered to the peer (RFC 1877)' }),
    'use-encryption': prop(oneOf(['default', 'no', 'yes', 'required']), {
      default: 'default',
      help: 'MPPE-128: yes offers it, required refuses peers without it',
    }),
    'change-tcp-mss': prop(tri, { default: 'default', help: 'clamp TCP MSS to the tunnel MTU' }),
    'only-one': prop(tri, { default: 'default', help: 'allow one session per user' }),
    bridge: prop(optionalNameRef, { default: '', ref: '/interface bridge', help: 'bridge the BCP link joins (empty: none)' }),
    'session-timeout': prop(optionalDuration(365 * 86400), { default: '', help: 'longest session, then the link is closed (empty or 0s: unlimited)' }),
    'rate-limit': prop(rateLimit, { default: '', help: 'rx/tx limit of the tunnel, as the router sees it (rx: what the user sends)' }),
    'use-compression': prop(useCompression, { default: 'default', help: 'MPPC compression: not implemented, so never negotiated' }),
    'idle-timeout': prop(optionalDuration(365 * 86400), { default: '', help: 'time without traffic either way, then the link is closed (empty or 0s: never)' }),
  },
  builtin: [
    { name: 'default', 'change-tcp-mss': 'yes', 'use-encryption': 'default', 'only-one': 'default' },
    { name: 'default-encryption', 'change-tcp-mss': 'yes', 'use-encryption': 'yes', 'only-one': 'default' },
  ],
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 20 },
      { key: 'local-address', header: 'LOCAL-ADDRESS', width: 15 },
      { key: 'remote-address', header: 'REMOTE-ADDRESS', width: 15 },
      { key: 'use-encryption', header: 'USE-ENCRYPTION', width: 14 },
    ],
  },
} as const satisfies ListMenu;

export const pppActive = {
  kind: 'status',
  path: '/ppp active',
  source: 'ppp-sessions',
  commands: ['print', 'remove', 'get', 'find'],
  help: 'connected PPP users; remove disconnects one',
  shape: 'rows',
  columns: {
    name: { help: 'user name', quoted: true },
    service: { help: 'service' },
    'caller-id': { help: 'peer outer address', quoted: true },
    address: { help: 'address given to the peer' },
    uptime: { help: 'time connected' },
    encoding: { help: 'encryption and encoding', quoted: true },
    'bytes-in': { help: 'bytes received' },
    'bytes-out': { help: 'bytes sent' },
  },
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 12 },
      { key: 'service', header: 'SERVICE', width: 7 },
      { key: 'caller-id', header: 'CALLER-ID', width: 15 },
      { key: 'address', header: 'ADDRESS', width: 15 },
      { key: 'uptime', header: 'UPTIME', width: 9 },
      { key: 'encoding', header: 'ENCODING', width: 20 },
    ],
  },
} as const satisfies StatusMenu;

/** Failed PPP authentications per address and user, and the back-off each is in (issue 15). */
export const pppLoginThrottle = {
  kind: 'status',
  path: '/ppp login-throttle',
  source: 'login-throttle',
  help: 'failed PPP logins per address and user; WAIT is the back-off left before the next try',
  shape: 'rows',
  columns: {
    kind: { help: 'address or user' },
    name: { help: 'the peer address or user name', quoted: true },
    failures: { help: 'failed authentications since the last success' },
    wait: { help: 'seconds of back-off left' },
  },
  print: {
    style: 'table',
    columns: [
      { key: 'kind', header: 'KIND', width: 8 },
      { key: 'name', header: 'NAME', width: 20 },
      { key: 'failures', header: 'FAILURES', width: 9 },
      { key: 'wait', header: 'WAIT', width: 6 },
    ],
  },
} as const satisfies StatusMenu;
