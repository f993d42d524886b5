// /ip firewall filter, /ip firewall nat, /ip firewall address-list, /ip firewall connection
// (issue 16). Rules are checked here as a whole (a chain, its matchers and its action must fit
// together), so a rule nftables could not load is refused at the console and never stored.
import { isIP } from 'node:net';
import type { RuntimeState } from '../runtime.js';
import { prop, type ListMenu, type RowStatus, type StatusMenu, type StoredRow } from '../schema.js';
import { intToIpv4, ipv4ToInt, name, oneOf, optionalIpv4, setOf, ValueError, yesNo, type PropType, type Value } from '../types.js';

const disabled = prop(yesNo, { default: false, help: 'whether the rule is disabled', flag: { letter: 'X', label: 'disabled' } });
const invalid = (p: string) => new ValueError(`invalid value for argument ${p}`);

/** Free text printed without quotes when it has none to need (comment, log-prefix). */
const note: PropType<string> = {
  describe: 'text',
  parse: (raw, p) => (/[\x00-\x1f"\\]/.test(raw) || raw.length > 64 ? invalid(p) : raw),
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** An address or a prefix (host bits cleared), or empty for any. */
export const addressMatch: PropType<string> = {
  describe: 'IP address | IP prefix',
  parse(raw, p) {
    if (raw === '') return '';
    const m = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d{1,2}))?$/.exec(raw);
    if (!m || isIP(m[1]!) !== 4) return invalid(p);
    if (m[2] === undefined) return m[1]!;
    const len = Number(m[2]);
    if (len > 32) return invalid(p);
    const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
    return `${intToIpv4((ipv4ToInt(m[1]!) & mask) >>> 0)}/${len}`;
  },
  format: (v) => v,
  quoted: false,
  choices: [],
};

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'gre'] as const;

/** tcp, udp, icmp, gre or an IP protocol number (47 is stored as gre). */
export const protocolMatch: PropType<string> = {
  describe: `${PROTOCOLS.join(' | ')} | integer: 0..255`,
  parse(raw, p) {
    if (raw === '' || (PROTOCOLS as readonly string[]).includes(raw)) return raw;
    if (!/^\d{1,3}$/.test(raw) || Number(raw) > 255) return new ValueError(`input does not match any value of ${p}`);
    const named: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '47': 'gre' };
    return named[String(Number(raw))] ?? String(Number(raw));
  },
  format: (v) => v,
  quoted: false,
  choices: PROTOCOLS,
};

/** Ports and port ranges, comma separated: 1723, 80,443, 8000-8080. */
export const portList: PropType<string> = {
  describe: 'port | port-port, comma separated',
  parse(raw, p) {
    if (raw === '') return '';
    const parts = raw.split(',');
    for (const part of parts) {
      const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
      if (!m) return invalid(p);
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : Number(m[2]);
      if (lo < 1 || hi > 65535 || lo > hi) return new ValueError(`value of ${p} out of range (1..65535)`);
    }
    return parts.map((x) => x.replace(/^0+(?=\d)/, '')).join(',');
  },
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** One port or a range (to-ports of a NAT rule). */
const portRange: PropType<string> = {
  ...portList,
  describe: 'port | port-port',
  parse: (raw, p) => (raw.includes(',') ? invalid(p) : portList.parse(raw, p)),
};

const optionalName: PropType<string> = {
  describe: 'name or empty',
  parse: (raw, p) => (raw === '' ? '' : name.parse(raw, p)),
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** The matchers both tables share, in RouterOS's print order. */
const matchers = {
  'src-address': prop(addressMatch, { default: '', help: 'source address or prefix' }),
  'dst-address': prop(addressMatch, { default: '', help: 'destination address or prefix' }),
  'src-address-list': prop(optionalName, { default: '', help: 'source address is in this /ip firewall address-list' }),
  protocol: prop(protocolMatch, { default: '', help: 'IP protocol' }),
  'dst-port': prop(portList, { default: '', help: 'destination ports (protocol=tcp or udp)' }),
  'in-interface': prop(optionalName, { default: '', interfaceRef: 'interface', help: 'interface the packet came in on' }),
  'out-interface': prop(optionalName, { default: '', interfaceRef: 'interface', help: 'interface the packet leaves by' }),
  'connection-state': prop(setOf(['established', 'related', 'new', 'invalid']), {
    default: [],
    help: 'connection tracking state',
  }),
} as const;

type Row = Readonly<Record<string, Value>>;

/** bytes and packets of a rule, for `print stats`; empty until the rule set is loaded. */
function counters(path: string) {
  return (row: StoredRow, runtime: RuntimeState): RowStatus => {
    const c = runtime.ruleCounters?.(path, row.id);
    return { running: false, values: c ? { bytes: String(c.bytes), packets: String(c.packets) } : {} };
  };
}

/** Checks what belongs together; the one-line reason, or undefined when the rule can be loaded. */
function commonProblem(row: Row, inputSide: readonly string[], outputSide: readonly string[]): string | undefined {
  const chain = String(row.chain);
  if (row['dst-port'] !== '' && row.protocol !== 'tcp' && row.protocol !== 'udp') {
    return 'failure: dst-port can be used only with protocol=tcp or protocol=udp';
  }
  if (row['in-interface'] !== '' && !inputSide.includes(chain)) {
    return `failure: in-interface cannot be used in chain ${chain}`;
  }
  if (row['out-interface'] !== '' && !outputSide.includes(chain)) {
    return `failure: out-interface cannot be used in chain ${chain}`;
  }
  return undefined;
}

/** `print stats` of a rule table: the rule and its counters. */
function statsLayout(actionWidth: number) {
  return {
    style: 'table',
    columns: [
      { key: 'chain', header: 'CHAIN', width: 12 },
      { key: 'action', header: 'ACTION', width: actionWidth },
      { key: 'bytes', header: 'BYTES', width: 14 },
      { key: 'packets', header: 'PACKETS', width: 10 },
    ],
  } as const;
}

const counterColumns = {
  bytes: { help: 'bytes matched since the rule set was last loaded' },
  packets: { help: 'packets matched since the rule set was last loaded' },
} as const;

export const firewallFilter = {
  kind: 'list',
  path: '/ip firewall filter',
  help: 'packet filter rules, checked in order (nftables)',
  props: {
    chain: prop(oneOf(['input', 'forward', 'output']), { help: 'input: to the router; forward: through it; output: from it' }),
    action: prop(oneOf(['accept', 'drop', 'reject', 'log']), { default: 'accept', help: 'what to do with a matching packet (log: log it and go on)' }),
    ...matchers,
    'log-prefix': prop(note, { default: '', help: 'text in front of logged packets' }),
    comment: prop(note, { default: '', help: 'note' }),
    disabled,
  },
  print: { style: 'inline' },
  printStats: statsLayout(10),
  columns: counterColumns,
  runtime: { status: counters('/ip firewall filter') },
  validate: (row) => commonProblem(row, ['input', 'forward'], ['output', 'forward']),
} as const satisfies ListMenu;

export const firewallNat = {
  kind: 'list',
  path: '/ip firewall nat',
  help: 'address translation rules (nftables)',
  props: {
    chain: prop(oneOf(['srcnat', 'dstnat']), { help: 'srcnat: leaving packets; dstnat: arriving packets' }),
    action: prop(oneOf(['accept', 'masquerade', 'src-nat', 'dst-nat', 'log']), {
      default: 'accept',
      help: 'accept: leave unchanged; masquerade: the out-interface address',
    }),
    ...matchers,
    'to-addresses': prop(optionalIpv4, { default: '', help: 'new address (src-nat, dst-nat)' }),
    'to-ports': prop(portRange, { default: '', help: 'new port or range (masquerade, src-nat, dst-nat; tcp or udp)' }),
    'log-prefix': prop(note, { default: '', help: 'text in front of logged packets' }),
    comment: prop(note, { default: '', help: 'note' }),
    disabled,
  },
  print: { style: 'inline' },
  printStats: statsLayout(12),
  columns: counterColumns,
  runtime: { status: counters('/ip firewall nat') },
  validate(row) {
    const common = commonProblem(row, ['dstnat'], ['srcnat']);
    if (common) return common;
    const { chain, action } = row;
    if ((action === 'masquerade' || action === 'src-nat') && chain !== 'srcnat') return `failure: action ${String(action)} works only in chain srcnat`;
    if (action === 'dst-nat' && chain !== 'dstnat') return 'failure: action dst-nat works only in chain dstnat';
    if ((action === 'src-nat' || action === 'dst-nat') && row['to-addresses'] === '') return `failure: action ${String(action)} needs to-addresses`;
    if (row['to-ports'] !== '' && row.protocol !== 'tcp' && row.protocol !== 'udp') {
      return 'failure: to-ports can be used only with protocol=tcp or protocol=udp';
    }
    if (row['to-ports'] !== '' && !['masquerade', 'src-nat', 'dst-nat'].includes(String(action))) {
      return `failure: to-ports has no meaning for action ${String(action)}`;
    }
    return undefined;
  },
} as const satisfies ListMenu;

export const firewallAddressList = {
  kind: 'list',
  path: '/ip firewall address-list',
  help: 'named lists of addresses that rules match with src-address-list',
  props: {
    list: prop(name, { help: 'list name' }),
    address: prop(addressMatch, { help: 'address or prefix' }),
    comment: prop(note, { default: '', help: 'note' }),
    disabled,
  },
  validate: (row) => (row.address === '' ? 'failure: address must be set' : undefined),
  print: {
    style: 'table',
    columns: [
      { key: 'list', header: 'LIST', width: 16 },
      { key: 'address', header: 'ADDRESS', width: 18 },
    ],
  },
} as const satisfies ListMenu;

export const firewallConnection = {
  kind: 'status',
  path: '/ip firewall connection',
  source: 'connections',
  help: 'connections the router tracks (read from the kernel)',
  shape: 'rows',
  columns: {
    protocol: { help: 'IP protocol' },
    'src-address': { help: 'source address:port' },
    'dst-address': { help: 'destination address:port' },
    'reply-src-address': { help: 'source of replies (after dst-nat)' },
    'reply-dst-address': { help: 'destination of replies (after src-nat or masquerade)' },
    'tcp-state': { help: 'TCP state' },
    timeout: { help: 'time left' },
  },
  flags: [
    { letter: 'S', label: 'seen-reply' },
    { letter: 'A', label: 'assured' },
    { letter: 'N', label: 'srcnat' },
    { letter: 'D', label: 'dstnat' },
  ],
  print: {
    style: 'table',
    columns: [
      { key: 'protocol', header: 'PROTOCOL', width: 8 },
      { key: 'src-address', header: 'SRC-ADDRESS', width: 21 },
      { key: 'dst-address', header: 'DST-ADDRESS', width: 21 },
      { key: 'tcp-state', header: 'TCP-STATE', width: 11 },
      { key: 'timeout', header: 'TIMEOUT', width: 8 },
    ],
  },
} as const satisfies StatusMenu;
