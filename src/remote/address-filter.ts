// `/ip service ... address=`: whether a peer may connect. An empty list lets everyone in;
// IPv4 peers on a dual-stack socket arrive as ::ffff:a.b.c.d and are matched as IPv4.
import { isIPv4 } from 'node:net';

function toInt(address: string): number {
  return address.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

/** The peer's IPv4 address as it is shown and matched ("::ffff:10.0.0.2" -> "10.0.0.2"). */
export function plainAddress(address: string | undefined): string {
  const a = address ?? '';
  return a.startsWith('::ffff:') && isIPv4(a.slice(7)) ? a.slice(7) : a;
}

export function allowedFrom(address: string, prefixes: readonly string[]): boolean {
  if (prefixes.length === 0) return true;
  const plain = plainAddress(address);
  if (!isIPv4(plain)) return false;
  const ip = toInt(plain);
  return prefixes.some((p) => {
    const [net, len] = p.split('/');
    const bits = Number(len);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return ((ip & mask) >>> 0) === ((toInt(net!) & mask) >>> 0);
  });
}
