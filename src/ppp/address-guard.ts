// Which IPCP addresses a peer may not make us use (RFC 1332 section 3.3 leaves the choice to the
// implementation). An address ends up on the tunnel as `local peer REMOTE/32`: a peer that got
// us to install a LAN host, one of our own addresses or a special address there would draw that
// traffic into its tunnel. So addresses a peer picks (the server's view) must be ordinary unicast
// outside every connected subnet; addresses a server assigns to a client (the client's view) may
// lie inside the client's subnets (road warriors, pptpd's usual 192.168.0.x) but must not be
// special or one of the client's own.
import { ipv4ToBuffer } from '../wire/ipcp-options.js';

/** An address of one of our interfaces with its prefix length: the address and its connected subnet. */
export interface LocalNetwork {
  readonly address: string;
  readonly prefixLength: number;
  /** The far end of a point-to-point address (another tunnel's peer). */
  readonly peer?: string | undefined;
}

export interface AddressPolicy {
  /** Our interface addresses (and so our connected subnets). */
  readonly localNetworks: readonly LocalNetwork[];
  /** Also refuse addresses inside a connected subnet (what a peer picks for itself on our server). */
  readonly refuseConnectedSubnets: boolean;
}

interface Block {
  readonly base: number;
  readonly length: number;
  readonly what: string;
}

// RFC 1122 3.2.1.3 and RFC 5735: never a host's unicast address.
const SPECIAL: readonly Block[] = [
  { base: 0x00000000, length: 8, what: 'unspecified ("this network")' },
  { base: 0x7f000000, length: 8, what: 'loopback' },
  { base: 0xe0000000, length: 4, what: 'multicast' },
  { base: 0xffffffff, length: 32, what: 'broadcast' },
  { base: 0xf0000000, length: 4, what: 'reserved' },
];

function toInt(address: string): number | undefined {
  try {
    return ipv4ToBuffer(address).readUInt32BE(0);
  } catch {
    return undefined;
  }
}

function maskOf(length: number): number {
  return length === 0 ? 0 : (~0 << (32 - length)) >>> 0;
}

function inside(a: number, base: number, length: number): boolean {
  const mask = maskOf(length);
  return ((a & mask) >>> 0) === ((base & mask) >>> 0);
}

function subnetText(n: LocalNetwork, base: number): string {
  const net = (base & maskOf(n.prefixLength)) >>> 0;
  return `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${n.prefixLength}`;
}

/** Why `address` must not be used on a tunnel, or undefined when it may. */
export function refusedAddress(address: string, policy: AddressPolicy): string | undefined {
  const a = toInt(address);
  if (a === undefined) return 'not an IPv4 address';
  for (const b of SPECIAL) if (inside(a, b.base, b.length)) return `${b.what} address`;
  for (const n of policy.localNetworks) {
    const base = toInt(n.address);
    if (base === undefined) continue;
    if (base === a) return 'one of our own addresses';
    if (!policy.refuseConnectedSubnets) continue;
    // A point-to-point address's prefix is the far end's (`local X peer Y/len`).
    const far: number | undefined = n.peer === undefined ? base : toInt(n.peer);
    if (far === undefined) continue;
    if (far === a) return 'the far end of another of our links';
    if (n.prefixLength < 32 && inside(a, far, n.prefixLength)) return `inside our connected subnet ${subnetText(n, far)}`;
  }
  return undefined;
}
