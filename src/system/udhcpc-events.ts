// What busybox's udhcpc tells the router about a WAN lease. udhcpc runs the script routerd gives
// it at every DHCP event with the lease in environment variables; that script only prints them
// (UDHCPC_SCRIPT below), one `@key value` line each, ending with `@end`, on udhcpc's standard
// output, which routerd reads. The router, not the script, then changes the host. Pure: lines
// in, events out.
import { isIP } from 'node:net';

export const UDHCPC_SCRIPT = [
  '#!/bin/sh',
  '# written by routerd: reports a DHCP event to routerd on standard output, changes nothing itself',
  'echo "@event $1"',
  'echo "@ip $ip"',
  'echo "@subnet $subnet"',
  'echo "@router $router"',
  'echo "@dns $dns"',
  'echo "@ntp $ntpsrv"',
  'echo "@lease $lease"',
  'echo "@server $serverid"',
  'echo "@end"',
  'exit 0',
  '',
].join('\n');

export interface DhcpLeaseInfo {
  /** address/prefix-length */
  readonly address: string;
  readonly gateway: string | undefined;
  readonly dns: readonly string[];
  readonly ntp: readonly string[];
  /** Seconds the lease lasts from when it was given. */
  readonly leaseSeconds: number;
  readonly server: string;
}

/** bound and renew carry a lease; deconfig (no lease any more), leasefail and nak do not. */
export type DhcpEvent = { readonly kind: 'lease'; readonly lease: DhcpLeaseInfo } | { readonly kind: 'none'; readonly why: string };

function prefixLength(mask: string): number | undefined {
  if (isIP(mask) !== 4) return undefined;
  const bits = mask.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const len = 32 - Math.log2((~bits >>> 0) + 1);
  return Number.isInteger(len) ? len : undefined;
}

const addresses = (text: string | undefined): string[] => (text ?? '').split(/\s+/).filter((a) => isIP(a) === 4);

/** Turns one `@event ... @end` block into an event; undefined for a block that makes no sense. */
export function parseDhcpEvent(block: Readonly<Record<string, string>>): DhcpEvent | undefined {
  const event = block.event;
  if (event === 'bound' || event === 'renew') {
    const len = prefixLength(block.subnet ?? '');
    const ip = block.ip ?? '';
    if (isIP(ip) !== 4 || len === undefined) return undefined;
    return {
      kind: 'lease',
      lease: {
        address: `${ip}/${len}`,
        gateway: addresses(block.router)[0],
        dns: addresses(block.dns),
        ntp: addresses(block.ntp),
        leaseSeconds: /^\d+$/.test(block.lease ?? '') ? Number(block.lease) : 0,
        server: addresses(block.server)[0] ?? '',
      },
    };
  }
  if (event === 'deconfig' || event === 'leasefail' || event === 'nak') return { kind: 'none', why: event };
  return undefined;
}

/** Splits udhcpc's output into blocks as it arrives: feed() takes text, returns finished events. */
export class DhcpEventReader {
  private pending = '';
  private block: Record<string, string> = {};

  feed(text: string): DhcpEvent[] {
    this.pending += text;
    const lines = this.pending.split('\n');
    this.pending = lines.pop()!;
    const out: DhcpEvent[] = [];
    for (const line of lines) {
      const m = /^@(\w+)(?: (.*))?$/.exec(line);
      if (!m) continue; // udhcpc's own messages
      if (m[1] === 'end') {
        const e = parseDhcpEvent(this.block);
        if (e) out.push(e);
        this.block = {};
      } else this.block[m[1]!] = (m[2] ?? '').trim();
    }
    return out;
  }
}
