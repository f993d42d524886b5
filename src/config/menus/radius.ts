// /radius (the servers the router asks) and /ppp aaa (whether PPP asks them), as RouterOS v7.
// A user found in /ppp secret never goes to RADIUS; RADIUS is asked only for names the local
// table does not hold (use-radius=yes).
import type { RuntimeState } from '../runtime.js';
import { prop, type ListMenu, type SettingsMenu, type StoredRow } from '../schema.js';
import { duration, integer, ipv4, optionalIpv4, setOf, text, ValueError, yesNo, type PropType } from '../types.js';

/** RouterOS's RADIUS timeout: "300ms", "1s", "1s500ms"; stored in milliseconds. */
export const milliseconds: PropType<number> = {
  describe: 'time: 10ms..60s',
  parse(raw, prop) {
    const m = /^(?:(\d+)s)?(?:(\d+)ms)?$/.exec(raw);
    const ms = /^\d+$/.test(raw) ? Number(raw) * 1000 : m && raw !== '' ? Number(m[1] ?? 0) * 1000 + Number(m[2] ?? 0) : undefined;
    if (ms === undefined) return new ValueError(`invalid value for argument ${prop}`);
    if (ms < 10 || ms > 60_000) return new ValueError(`value of ${prop} out of range (10ms..60s)`);
    return ms;
  },
  format: (v) => (v % 1000 === 0 ? `${v / 1000}s` : v > 1000 ? `${Math.floor(v / 1000)}s${v % 1000}ms` : `${v}ms`),
  quoted: false,
  choices: [],
};

export const radius = {
  kind: 'list',
  path: '/radius',
  help: 'RADIUS servers (RFC 2865/2866) for PPP logins and accounting',
  props: {
    // Only PPP uses RADIUS on this router: other RouterOS services are not offered, so none is
    // accepted and then ignored.
    service: prop(setOf(['ppp']), { default: [], help: 'services that use this server' }),
    address: prop(ipv4, { help: 'server address' }),
    secret: prop(text, { default: '', help: 'shared secret', sensitive: true }),
    'authentication-port': prop(integer(1, 65535), { default: 1812, help: 'UDP port for Access-Request' }),
    'accounting-port': prop(integer(1, 65535), { default: 1813, help: 'UDP port for Accounting-Request' }),
    timeout: prop(milliseconds, { default: 300, help: 'time the server has to answer (one resend half way), then the next server is asked' }),
    'src-address': prop(optionalIpv4, { default: '', help: 'source address of requests (empty: chosen by routing)' }),
    disabled: prop(yesNo, { default: false, help: 'whether the server is disabled', flag: { letter: 'X', label: 'disabled' } }),
  },
  print: {
    style: 'table',
    columns: [
      { key: 'service', header: 'SERVICE', width: 8 },
      { key: 'address', header: 'ADDRESS', width: 15 },
      { key: 'secret', header: 'SECRET', width: 12 },
    ],
  },
  columns: {
    pending: { help: 'requests waiting for an answer' },
    requests: { help: 'Access-Requests sent' },
    accepts: { help: 'Access-Accepts received' },
    rejects: { help: 'Access-Rejects received' },
    resends: { help: 'requests sent again' },
    timeouts: { help: 'requests this server never answered' },
    'bad-replies': { help: 'replies dropped: wrong authenticator, no Message-Authenticator' },
    'last-request-rtt': { help: 'round trip of the last answered request' },
    'acct-requests': { help: 'Accounting-Requests sent' },
    'acct-responses': { help: 'Accounting-Responses received' },
  },
  runtime: {
    status(row: StoredRow, rt: RuntimeState) {
      return { running: !row.values.disabled, values: rt.radiusCounters?.(row.id) ?? {} };
    },
  },
} as const satisfies ListMenu;

export const pppAaa = {
  kind: 'settings',
  path: '/ppp aaa',
  help: 'where PPP users are checked and accounted',
  props: {
    'use-radius': prop(yesNo, { default: false, help: 'ask /radius servers (service=ppp) for users not in /ppp secret' }),
    accounting: prop(yesNo, { default: true, help: 'send RADIUS accounting for PPP sessions when a ppp server exists' }),
    'interim-update': prop(duration(7 * 86400), { default: 0, help: 'seconds between Interim-Update records (0: none unless the server says)' }),
  },
} as const satisfies SettingsMenu;
