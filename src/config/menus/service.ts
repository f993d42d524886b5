// /ip service (which management services listen, where and for whom), /user ssh-keys (public
// keys users log in with over SSH) and /user active (who is logged in now, and from where).
import { prop, type ListMenu, type MenuPolicy, type StatusMenu } from '../schema.js';
import { integer, ipv4Prefix, name, nameRef, text, yesNo, type PropType } from '../types.js';
import { ValueError } from '../types.js';

/** `address=10.0.0.0/8,192.168.88.0/24`: the networks allowed to connect; empty: any. */
export const prefixList: PropType<readonly string[]> = {
  describe: 'comma list of IP prefixes (a bare address is /32); empty: any',
  parse(raw, prop) {
    const out: string[] = [];
    for (const part of raw === '' ? [] : raw.split(',')) {
      const p = ipv4Prefix.parse(part.includes('/') ? part : `${part}/32`, prop);
      if (p instanceof ValueError) return p;
      out.push(p);
    }
    return out;
  },
  format: (v) => v.join(','),
  quoted: false,
  choices: [],
};

/**
 * Where the management services answer by default: the private ranges LAN and tunnel addresses
 * come from, so a router whose WAN faces the internet is not open to it out of the box.
 */
export const PRIVATE_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8'] as const;

export const SERVICE_NAMES = ['ssh', 'api', 'api-ssl'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** RouterOS: changing who may reach the router is `policy` business, as user management is. */
const serviceChange: MenuPolicy = { read: ['read'], write: ['write', 'policy'] };

export const ipService = {
  kind: 'list',
  path: '/ip service',
  help: 'management services (ssh, api, api-ssl): port and the networks allowed to connect',
  policy: serviceChange,
  props: {
    name: prop(name, { help: 'service', readOnly: true }),
    port: prop(integer(1, 65535), { default: 0, help: 'TCP port the service listens on' }),
    address: prop(prefixList, { default: [...PRIVATE_NETWORKS], help: 'networks allowed to connect; empty: any' }),
    certificate: prop(text, { default: 'none', help: 'api-ssl: NAME uses NAME.crt and NAME.key in the data directory; "none" the self-signed one made on first start' }),
    disabled: prop(yesNo, { default: false, help: 'whether the service is off', flag: { letter: 'X', label: 'disabled' } }),
  },
  builtin: [
    { name: 'ssh', port: 22 },
    { name: 'api', port: 8728 },
    { name: 'api-ssl', port: 8729 },
  ],
  fixedRows: true,
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 8 },
      { key: 'port', header: 'PORT', width: 5 },
      { key: 'address', header: 'ADDRESS', width: 44 },
      { key: 'certificate', header: 'CERTIFICATE', width: 11 },
    ],
  },
} as const satisfies ListMenu;

const KEY_TYPES = ['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'];

/**
 * One authorized_keys line, `TYPE BASE64 [comment]`, kept as "TYPE BASE64 comment". The base64
 * blob begins with its own type name (RFC 4253 section 6.6); a line whose blob says otherwise
 * was mangled in copying.
 */
export const sshPublicKey: PropType<string> = {
  describe: 'public key: "ssh-ed25519 AAAA... comment"',
  parse(raw, prop) {
    const m = /^\s*(\S+)\s+([A-Za-z0-9+/]+={0,2})(?:\s+(.*?))?\s*$/.exec(raw);
    const bad = new ValueError(`failure: ${prop} is not an OpenSSH public key line`);
    if (!m || !KEY_TYPES.includes(m[1]!)) return bad;
    const blob = Buffer.from(m[2]!, 'base64');
    if (blob.length < 4) return bad;
    const len = blob.readUInt32BE(0);
    if (len > blob.length - 4 || blob.toString('latin1', 4, 4 + len) !== m[1]) return bad;
    return [m[1], m[2], m[3] ?? ''].join(' ').trim();
  },
  format: (v) => v,
  quoted: true,
  choices: [],
};

export const userSshKeys = {
  kind: 'list',
  path: '/user ssh-keys',
  actions: ['import'],
  help: 'public keys users log in with over SSH; import public-key-file=FILE user=NAME',
  policy: { read: ['read'], write: ['write', 'policy'] },
  props: {
    user: prop(nameRef, { ref: '/user', help: 'user the key logs in as' }),
    key: prop(sshPublicKey, { help: 'the public key, as in an authorized_keys line ("ssh-ed25519 AAAA... comment")' }),
    'key-owner': prop(text, { default: '', help: 'the comment of the key line' }),
    comment: prop(text, { default: '', help: 'note' }),
  },
  print: {
    style: 'table',
    columns: [
      { key: 'user', header: 'USER', width: 12 },
      { key: 'key-owner', header: 'KEY-OWNER', width: 24 },
    ],
  },
} as const satisfies ListMenu;

export const userActive = {
  kind: 'status',
  path: '/user active',
  source: 'console-users',
  help: 'users logged in now: by which service, from where, since when',
  shape: 'rows',
  columns: {
    when: { help: 'when the user logged in' },
    name: { help: 'user', quoted: true },
    address: { help: 'where from' },
    via: { help: 'console, ssh, api or api-ssl' },
    group: { help: 'the user\'s group' },
  },
  print: {
    style: 'table',
    columns: [
      { key: 'when', header: 'WHEN', width: 20 },
      { key: 'name', header: 'NAME', width: 12 },
      { key: 'address', header: 'ADDRESS', width: 16 },
      { key: 'via', header: 'VIA', width: 8 },
      { key: 'group', header: 'GROUP', width: 6 },
    ],
  },
} as const satisfies StatusMenu;
