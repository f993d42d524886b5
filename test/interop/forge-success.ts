// A lying PPTP server out of an honest one: pppd's MS-CHAPv2 Success always carries the right
// authenticator response (S= proves the password it checked ours with), so to see our client
// refuse a forged one, nftables on the guest's tap changes the first hex digit of S= in the
// CHAP Success on its way to us. GRE carries no checksum (RFC 2637 4.1) and the IP header is
// untouched, so nothing else needs fixing.
import type { Netns } from '../lib/netns.js';

/** Byte offsets of the first S= hex digit's neighbours for one GRE/PPP layout, from the IP header. */
function layout(ack: boolean, acfc: boolean): { ackBit: number; ppp: number; chap: number } {
  const ppp = 20 + (ack ? 16 : 12);
  return { ackBit: ack ? 1 : 0, ppp, chap: ppp + (acfc ? 2 : 4) };
}

/** nft rules: for each layout, '0' becomes '1' and any other digit becomes '0', so S= always changes. */
export function forgeRules(): string[] {
  const rules: string[] = [];
  for (const ack of [true, false]) {
    for (const acfc of [true, false]) {
      const { ackBit, ppp, chap } = layout(ack, acfc);
      const bits = (byte: number): number => byte * 8;
      const header = acfc ? `@nh,${bits(ppp)},16 0xc223` : `@nh,${bits(ppp)},32 0xff03c223`;
      const match = `ip protocol gre ip hdrlength 5 @nh,${bits(21)},1 ${ackBit} ${header} @nh,${bits(chap)},8 0x03 @nh,${bits(chap + 4)},16 0x533d`;
      const digit = `@nh,${bits(chap + 6)},8`;
      rules.push(`${match} ${digit} 0x30 ${digit} set 0x31 counter accept`);
      rules.push(`${match} ${digit} set 0x30 counter accept`);
    }
  }
  return rules;
}

/** Installs the rules on `tap` (ingress: frames from the guest); returns how to read the hits and remove them. */
export async function forgeAuthenticatorResponses(ns: Netns, tap: string): Promise<{ hits: () => Promise<number>; remove: () => Promise<void> }> {
  const table = `forge_${tap.replace(/[^a-zA-Z0-9_]/g, '_')}`;
  const script = [`table netdev ${table} {`, `  chain in {`, `    type filter hook ingress device "${tap}" priority 0;`, ...forgeRules().map((r) => `    ${r}`), '  }', '}', ''].join('\n');
  await ns.run(['nft', '-f', '-'], script);
  return {
    hits: async () => {
      const listing = (await ns.run(['nft', 'list', 'table', 'netdev', table])).stdout;
      return [...listing.matchAll(/counter packets (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    },
    remove: async () => {
      await ns.exec(['nft', 'delete', 'table', 'netdev', table]);
    },
  };
}
