// The router's firewall as one nftables script (issue 16): /ip firewall filter, nat and
// address-list rows in, the text `nft -f -` loads out. Pure: no I/O, so every rule shape is a
// unit test. The script deletes and recreates our own table (`ip routerd`) in the same
// transaction, so the kernel holds the old rule set or the new one, never half of either, and
// nothing outside that table is touched. Connection tracking lives outside the table, so an
// established connection (and its NAT binding) survives the swap.
import type { firewallAddressList, firewallFilter, firewallNat } from '../config/menus/firewall.js';
import type { RowOf } from '../config/schema.js';

export const TABLE = 'routerd';

export type FilterRule = RowOf<typeof firewallFilter>;
export type NatRule = RowOf<typeof firewallNat>;
export type AddressListEntry = RowOf<typeof firewallAddressList>;

export interface RulesetInput {
  readonly filter: readonly FilterRule[];
  readonly nat: readonly NatRule[];
  readonly addressLists: readonly AddressListEntry[];
  /** The kernel name of an interface reference (`*3`); undefined when it names no interface. */
  device(ref: string): string | undefined;
}

/** Rule comments carry the row they came from, so counters can be read back per row. */
export function ruleTag(table: 'filter' | 'nat', id: number): string {
  return `${table}:${id}`;
}

type Rule = FilterRule | NatRule;

const CHAINS: Readonly<Record<string, string>> = {
  input: 'type filter hook input priority filter; policy accept;',
  forward: 'type filter hook forward priority filter; policy accept;',
  output: 'type filter hook output priority filter; policy accept;',
  srcnat: 'type nat hook postrouting priority srcnat; policy accept;',
  dstnat: 'type nat hook prerouting priority dstnat; policy accept;',
};

const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { tcp: '6', udp: '17', icmp: '1', gre: '47' };

/** Set names: address-list names are free text, nft identifiers are not. */
function setNames(input: RulesetInput): Map<string, string> {
  const names = new Set<string>();
  for (const e of input.addressLists) names.add(e.list);
  for (const r of [...input.filter, ...input.nat]) if (r['src-address-list'] !== '') names.add(r['src-address-list']);
  return new Map([...names].sort().map((n, i) => [n, `list${i}`]));
}

/** The match part of a rule, or undefined when it can match nothing (an interface that is gone). */
function matchText(rule: Rule, input: RulesetInput, sets: ReadonlyMap<string, string>): string[] | undefined {
  const out: string[] = [];
  for (const [key, word] of [['in-interface', 'iifname'], ['out-interface', 'oifname']] as const) {
    const ref = rule[key];
    if (ref === '') continue;
    const dev = input.device(ref);
    if (dev === undefined) return undefined;
    out.push(`${word} ${JSON.stringify(dev)}`);
  }
  if (rule['src-address'] !== '') out.push(`ip saddr ${rule['src-address']}`);
  if (rule['dst-address'] !== '') out.push(`ip daddr ${rule['dst-address']}`);
  if (rule['src-address-list'] !== '') out.push(`ip saddr @${sets.get(rule['src-address-list'])!}`);
  if (rule.protocol !== '') {
    out.push(`meta l4proto ${PROTOCOL_NUMBERS[rule.protocol] ?? rule.protocol}`);
    if (rule['dst-port'] !== '') out.push(`${rule.protocol} dport { ${rule['dst-port'].split(',').join(', ')} }`);
  }
  if (rule['connection-state'].length > 0) out.push(`ct state { ${rule['connection-state'].join(', ')} }`);
  return out;
}

function logText(prefix: string): string {
  return prefix === '' ? 'log' : `log prefix ${JSON.stringify(prefix + ' ')}`;
}

/** The statement of an action; undefined for a word no menu accepts (a rule that is then left out). */
function verdict(rule: Rule): string | undefined {
  const action = rule.action;
  switch (action) {
    case 'accept':
    case 'drop':
    case 'reject':
      return action;
    case 'log':
      return logText(rule['log-prefix']);
    case 'masquerade': {
      const ports = (rule as NatRule)['to-ports'];
      return ports === '' ? 'masquerade' : `masquerade to :${ports}`;
    }
    case 'src-nat':
    case 'dst-nat': {
      const nat = rule as NatRule;
      const to = nat['to-ports'] === '' ? nat['to-addresses'] : `${nat['to-addresses']}:${nat['to-ports']}`;
      return `${action === 'src-nat' ? 'snat' : 'dnat'} to ${to}`;
    }
    default:
      return undefined;
  }
}

function ruleLine(table: 'filter' | 'nat', rule: Rule, input: RulesetInput, sets: ReadonlyMap<string, string>): string | undefined {
  const match = matchText(rule, input, sets);
  const action = verdict(rule);
  if (match === undefined || action === undefined) return undefined;
  return [...match, 'counter', action, `comment ${JSON.stringify(ruleTag(table, rule.id))}`].join(' ');
}

/**
 * The script that makes the kernel hold exactly this configuration, or undefined when the
 * configuration has no firewall at all (then the table is removed, see emptyRuleset).
 */
export function firewallRuleset(input: RulesetInput): string | undefined {
  const sets = setNames(input);
  const chains = new Map<string, string[]>();
  const add = (table: 'filter' | 'nat', rule: Rule): void => {
    if (rule.disabled) return;
    const line = ruleLine(table, rule, input, sets);
    if (line === undefined) return;
    const list = chains.get(rule.chain) ?? [];
    list.push(line);
    chains.set(rule.chain, list);
  };
  for (const r of input.filter) add('filter', r);
  for (const r of input.nat) add('nat', r);
  const hasLists = input.addressLists.some((e) => !e.disabled);
  if (chains.size === 0 && !hasLists) return undefined;

  const lines = [`table ip ${TABLE}`, `delete table ip ${TABLE}`, `table ip ${TABLE} {`];
  for (const [list, set] of sets) {
    const elements = [...new Set(input.addressLists.filter((e) => e.list === list && !e.disabled).map((e) => e.address))];
    lines.push(`  set ${set} {`, '    type ipv4_addr; flags interval; auto-merge;');
    if (elements.length) lines.push(`    elements = { ${elements.join(', ')} }`);
    lines.push('  }');
  }
  for (const chain of Object.keys(CHAINS)) {
    const rules = chains.get(chain);
    if (!rules) continue;
    lines.push(`  chain ${chain} {`, `    ${CHAINS[chain]!}`, ...rules.map((r) => `    ${r}`), '  }');
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Removes our table whether or not it exists (the first line makes sure it does). */
export function emptyRuleset(): string {
  return `table ip ${TABLE}\ndelete table ip ${TABLE}\n`;
}

/** Reads `nft -j list table ip routerd`: counters by rule tag. Unknown shapes are skipped. */
export function parseCounters(json: string): Map<string, { bytes: number; packets: number }> {
  const out = new Map<string, { bytes: number; packets: number }>();
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return out;
  }
  const items = (doc as { nftables?: unknown }).nftables;
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    const rule = (item as { rule?: { comment?: unknown; expr?: unknown } }).rule;
    if (!rule || typeof rule.comment !== 'string' || !Array.isArray(rule.expr)) continue;
    for (const e of rule.expr) {
      const c = (e as { counter?: { bytes?: unknown; packets?: unknown } }).counter;
      if (c && typeof c.bytes === 'number' && typeof c.packets === 'number') {
        out.set(rule.comment, { bytes: c.bytes, packets: c.packets });
      }
    }
  }
  return out;
}

/** A packet a PPTP server must let in: its control connection or its GRE. */
interface Probe {
  readonly what: string;
  readonly protocol: string;
  readonly port?: number;
}

const TUNNEL_PROBES: readonly Probe[] = [
  { what: 'TCP port 1723 (PPTP control)', protocol: 'tcp', port: 1723 },
  { what: 'IP protocol 47 (GRE)', protocol: 'gre' },
];

function portIn(list: string, port: number): boolean {
  return list.split(',').some((part) => {
    const [lo, hi] = part.split('-').map(Number);
    return port >= lo! && port <= (hi ?? lo!);
  });
}

/**
 * The seed's troubleshooting advice, checked against the filter: for each kind of tunnel packet,
 * the input rule (by print number) that drops or rejects a new one before any rule accepts all
 * of them. Rules that accept only some senders (one address, one interface) do not count as
 * letting tunnels in, so a drop after them is reported: it may block the others.
 */
export function tunnelBlockers(filter: readonly FilterRule[]): string[] {
  const out: string[] = [];
  for (const probe of TUNNEL_PROBES) {
    for (const [number, rule] of filter.entries()) {
      if (rule.disabled || rule.chain !== 'input' || rule.action === 'log') continue;
      if (rule.protocol !== '' && rule.protocol !== probe.protocol) continue;
      if (rule['dst-port'] !== '' && (probe.port === undefined || !portIn(rule['dst-port'], probe.port))) continue;
      const states = rule['connection-state'];
      if (states.length > 0 && !states.includes('new')) continue;
      if (rule.action === 'accept') {
        const everyone = rule['src-address'] === '' && rule['dst-address'] === '' && rule['src-address-list'] === '' && rule['in-interface'] === '';
        if (everyone) break;
        continue;
      }
      out.push(`/ip firewall filter rule ${number} (action=${rule.action}) blocks ${probe.what} in chain input: PPTP clients may not connect`);
      break;
    }
  }
  return out;
}
