// `/ip pool`: address ranges handed out to PPP peers ("10.0.0.200-10.0.0.250", or a prefix).
// A profile or secret whose remote-address (or local-address) names a pool gets the lowest free
// address of it while connected; the address goes back when the session ends.
import { ipv4ToInt, intToIpv4 } from '../config/types.js';

function* addressesOf(range: string): Generator<number> {
  const dash = range.split('-');
  if (dash.length === 2) {
    for (let a = ipv4ToInt(dash[0]!); a <= ipv4ToInt(dash[1]!); a++) yield a;
    return;
  }
  const [addr, lenText] = range.split('/');
  const len = lenText === undefined ? 32 : Number(lenText);
  const base = len === 0 ? 0 : (ipv4ToInt(addr!) & ((~0 << (32 - len)) >>> 0)) >>> 0;
  const size = 2 ** (32 - len);
  if (size <= 2) {
    for (let i = 0; i < size; i++) yield base + i;
    return;
  }
  // A prefix: network and broadcast addresses are not handed out.
  for (let i = 1; i < size - 1; i++) yield base + i;
}

export class AddressPools {
  private readonly used = new Set<string>();

  /** The lowest free address of the ranges, now taken; undefined when the pool is exhausted. */
  allocate(ranges: readonly string[]): string | undefined {
    for (const range of ranges) {
      for (const n of addressesOf(range)) {
        const a = intToIpv4(n >>> 0);
        if (!this.used.has(a)) {
          this.used.add(a);
          return a;
        }
      }
    }
    return undefined;
  }

  release(address: string): void {
    this.used.delete(address);
  }
}
