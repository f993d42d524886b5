// The real DHCP and DNS peers of the branch-office tests: Debian's dnsmasq as an ISP (DNS for
// the "internet", and DHCP for a router's WAN port), and Debian's dhclient (isc-dhcp-client) as
// a LAN host's client. Both run inside namespaces the test made, are killed by PID at teardown,
// and keep their files in a directory of their own (never /etc or /var).
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, type Netns, type TeardownHost } from './netns.js';

function scratch(t: TeardownHost, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** dnsmasq in ns on address with these extra options (address=/name/ip, dhcp-range=...); its process (SIGHUP re-reads a dhcp-hostsfile). */
export async function ispDnsmasq(t: TeardownHost, ns: Netns, address: string, options: readonly string[]): Promise<ChildProcess> {
  const dir = scratch(t, 'isp-dnsmasq');
  const child = ns.spawn('dnsmasq', [
    '--keep-in-foreground', '--log-facility=-', '--pid-file=', '--user=root', '--no-resolv', '--no-hosts',
    `--listen-address=${address}`, '--bind-interfaces', `--dhcp-leasefile=${join(dir, 'leases')}`, ...options.map((o) => `--${o}`),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const started = await waitFor(() => /started, version/.test(err) || child.exitCode !== null, 10_000);
  if (!started || child.exitCode !== null) throw new Error(`ISP dnsmasq did not start: ${err}`);
  return child;
}

export interface DhcpLeaseSeen {
  readonly address: string;
  readonly dns: string;
}

/**
 * dhclient on `port` of ns, its hooks replaced by a small script that applies the lease with
 * ip (address, default route) and writes what it got to a file instead of /etc/resolv.conf.
 * Resolves with the bound lease.
 */
export async function dhclient(t: TeardownHost, ns: Netns, port: string, hostName: string, timeoutMs = 60_000): Promise<DhcpLeaseSeen> {
  const dir = scratch(t, 'dhclient');
  const script = join(dir, 'script');
  const bound = join(dir, 'bound');
  writeFileSync(script, [
    '#!/bin/sh',
    'case "$reason" in',
    '  BOUND|RENEW|REBIND|REBOOT)',
    '    ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface"',
    '    for r in $new_routers; do ip route replace default via "$r"; done',
    `    echo "$new_ip_address $new_domain_name_servers" > ${bound}`,
    '    ;;',
    'esac',
    'exit 0',
    '',
  ].join('\n'));
  chmodSync(script, 0o755);
  writeFileSync(join(dir, 'dhclient.conf'), `send host-name "${hostName}";\nrequest subnet-mask, routers, domain-name-servers;\n`);
  const child = ns.spawn('dhclient', ['-d', '-v', '-sf', script, '-cf', join(dir, 'dhclient.conf'), '-lf', join(dir, 'leases'), '-pf', join(dir, 'pid'), port], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const read = (): string => {
    try {
      return readFileSync(bound, 'utf8').trim();
    } catch {
      return '';
    }
  };
  if (!(await waitFor(() => read() !== '', timeoutMs, 200))) throw new Error(`dhclient got no lease on ${port}:\n${out}`);
  const [address, ...dns] = read().split(/\s+/);
  return { address: address!, dns: dns.join(' ') };
}

/** Resolves name from inside ns through the DNS server at `server` (node's resolver, no resolv.conf). */
export async function resolve4(ns: Netns, server: string, name: string): Promise<string[] | string> {
  const script = `
    const r = new (require('dns').promises.Resolver)({ timeout: 3000, tries: 2 }); r.setServers(['${server}']);
    r.resolve4('${name}').then((a) => console.log(JSON.stringify(a)), (e) => console.log(JSON.stringify(e.code)));`;
  const r = await ns.exec(['node', '-e', script]);
  try {
    return JSON.parse(r.stdout.trim()) as string[] | string;
  } catch {
    return `no answer: ${r.stdout}${r.stderr}`;
  }
}
