// /ip dhcp-server and /ip dns as one dnsmasq configuration (issue 16). dnsmasq (Debian's
// dnsmasq-base: one small, well-kept process for both DHCP and a DNS cache) is what serves
// them; routerd writes this file and restarts it on change. Pure: rows in, file text out, so
// every option is a unit test. Lease file lines are read back the same way.
import type { dhcpServer, dhcpServerLease, dhcpServerNetwork, dnsStatic } from '../config/menus/dhcp-dns.js';
import type { DhcpLease } from '../config/runtime.js';
import type { RowOf } from '../config/schema.js';
import { intToIpv4, ipv4ToInt } from '../config/types.js';

export interface DnsmasqInput {
  readonly servers: readonly RowOf<typeof dhcpServer>[];
  readonly networks: readonly RowOf<typeof dhcpServerNetwork>[];
  readonly leases: readonly RowOf<typeof dhcpServerLease>[];
  readonly pools: ReadonlyMap<string, readonly string[]>;
  readonly dns: { readonly servers: readonly string[]; readonly allowRemoteRequests: boolean; readonly cacheSize: number };
  readonly statics: readonly RowOf<typeof dnsStatic>[];
  /** Upstream servers learned at run time (a DHCP client's use-peer-dns). */
  readonly dynamicServers: readonly string[];
  /** Kernel name of an interface reference; undefined when it names none. */
  device(ref: string): string | undefined;
  /** Every Ethernet port's kernel name (DHCP is switched off where no server runs). */
  readonly ports: readonly string[];
  readonly leaseFile: string;
}

/** A pool range (a-b or a prefix) as first and last address handed out. */
export function rangeBounds(range: string): [string, string] {
  const dash = range.split('-');
  if (dash.length === 2) return [dash[0]!, dash[1]!];
  const [addr, lenText] = range.split('/');
  const len = Number(lenText ?? 32);
  if (len >= 31) return [addr!, addr!];
  const mask = (~0 << (32 - len)) >>> 0;
  const base = (ipv4ToInt(addr!) & mask) >>> 0;
  // The network and broadcast addresses are never handed out.
  return [intToIpv4(base + 1), intToIpv4((base | (~mask >>> 0)) - 1)];
}

function inPrefix(addr: string, prefix: string): boolean {
  const [net, lenText] = prefix.split('/');
  const len = Number(lenText);
  const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
  return ((ipv4ToInt(addr) & mask) >>> 0) === ((ipv4ToInt(net!) & mask) >>> 0);
}

function netmask(prefix: string): string {
  const len = Number(prefix.split('/')[1]);
  return intToIpv4(len === 0 ? 0 : (~0 << (32 - len)) >>> 0);
}

/** Tags must be plain words in dnsmasq; server names are free text. */
function tag(index: number): string {
  return `srv${index}`;
}

/**
 * The configuration file, or undefined when there is nothing to serve (no DHCP server enabled
 * and no remote DNS requests allowed): then no dnsmasq runs at all.
 */
export function dnsmasqConfig(input: DnsmasqInput): string | undefined {
  const servers = input.servers
    .map((s, i) => ({ s, tag: tag(i), dev: input.device(s.interface) }))
    .filter((x) => !x.s.disabled && x.dev !== undefined);
  if (servers.length === 0 && !input.dns.allowRemoteRequests) return undefined;
  const lines = [
    '# written by routerd from /ip dhcp-server and /ip dns; changes here are overwritten',
    // Upstream servers come from /ip dns only, never from this host's resolv.conf or hosts file.
    'no-resolv',
    'no-hosts',
    'bind-dynamic',
    `cache-size=${input.dns.cacheSize}`,
  ];
  if (!input.dns.allowRemoteRequests) lines.push('port=0');
  const upstream = [...new Set([...input.dns.servers, ...input.dynamicServers])];
  for (const s of upstream) lines.push(`server=${s}`);
  for (const st of input.statics) if (!st.disabled) lines.push(`host-record=${st.name},${st.address},${st.ttl}`);
  if (servers.length > 0) {
    lines.push(`dhcp-leasefile=${input.leaseFile}`, 'dhcp-authoritative');
    const serving = new Set(servers.map((x) => x.dev!));
    for (const port of input.ports) if (!serving.has(port)) lines.push(`no-dhcp-interface=${port}`);
  }
  for (const { s, tag: t } of servers) {
    for (const range of input.pools.get(s['address-pool']) ?? []) {
      const [first, last] = rangeBounds(range);
      const net = input.networks.find((n) => inPrefix(first, n.address));
      const mask = net ? `,${netmask(net.address)}` : '';
      lines.push(`dhcp-range=set:${t},${first},${last}${mask},${s['lease-time']}`);
      if (!net) continue;
      if (net.gateway !== '') lines.push(`dhcp-option=tag:${t},option:router,${net.gateway}`);
      if (net['dns-server'].length > 0) lines.push(`dhcp-option=tag:${t},option:dns-server,${net['dns-server'].join(',')}`);
      if (net.domain !== '') lines.push(`dhcp-option=tag:${t},option:domain-name,${net.domain}`);
    }
  }
  for (const l of input.leases) {
    if (l.disabled) continue;
    lines.push(`dhcp-host=${l['mac-address'].toLowerCase()},${l.address}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * dnsmasq's lease file: `<expiry epoch seconds> <mac> <address> <host name or *> <client id or *>`.
 * serverOf names the /ip dhcp-server an address belongs to.
 */
export function parseLeases(text: string, nowSeconds: number, serverOf: (address: string) => string): DhcpLease[] {
  const out: DhcpLease[] = [];
  for (const line of text.split('\n')) {
    const [expiry, mac, address, host] = line.trim().split(/\s+/);
    if (!expiry || !mac || !address || !/^\d+$/.test(expiry) || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) continue;
    const ends = Number(expiry);
    out.push({
      address,
      mac: mac.toUpperCase(),
      hostName: host === undefined || host === '*' ? '' : host,
      server: serverOf(address),
      // 0 means a lease that never expires.
      expiresAfter: ends === 0 ? 0 : Math.max(0, ends - nowSeconds),
    });
  }
  return out;
}

/** Whether address lies in one of a pool's ranges (which server a lease belongs to). */
export function inRanges(address: string, ranges: readonly string[]): boolean {
  const a = ipv4ToInt(address);
  return ranges.some((r) => {
    const [first, last] = r.includes('-') ? r.split('-') : rangeBounds(r);
    return a >= ipv4ToInt(first!) && a <= ipv4ToInt(last!);
  });
}
