// IPCP option handling (RFC 1332 section 3, DNS per RFC 1877) for the shared automaton.
// The authenticator knows both addresses (secret first, then profile, decided by the caller)
// and Naks the peer into the remote address; it never takes its own address from the peer. The
// peer asks for 0.0.0.0 and DNS servers and takes what the Naks give it, unless the address is
// one it must not use (address-guard.ts): then the handler records why and the session ends the
// link, since there is no Configure-Reply that refuses a Nak.

import { refusedAddress, type LocalNetwork } from './address-guard.js';
import type { ConfigureReply, OptionHandler } from './fsm.js';
import { WireError } from '../wire/error.js';
import { decodeIpcpOption, encodeIpcpOption, IPCP_OPTION, type IpcpOption } from '../wire/ipcp-options.js';
import type { PppOption } from '../wire/ppp-packet.js';

export const UNSPECIFIED = '0.0.0.0';

export interface IpcpSettings {
  /** The authenticator (server) assigns addresses; the peer (client) is assigned one. */
  readonly role: 'authenticator' | 'peer';
  /** Our interface addresses: addresses the other end may not make us use (address-guard.ts). */
  readonly localNetworks: readonly LocalNetwork[];
  /** Our address, or undefined to ask the peer for one (0.0.0.0). */
  readonly localAddress: string | undefined;
  /** The address the peer must use, or undefined to accept whatever it asks for. */
  readonly remoteAddress: string | undefined;
  /** DNS servers we hand out (authenticator), at most two. */
  readonly dnsServers: readonly string[];
  /** Ask the peer for DNS servers (client). */
  readonly requestDns: boolean;
}

export interface IpcpResult {
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly dnsServers: readonly string[];
}

export class IpcpHandler implements OptionHandler {
  private local = UNSPECIFIED;
  private remote = UNSPECIFIED;
  private dns: [string | undefined, string | undefined] = [undefined, undefined];
  private wantAddress = true;
  private wantDns: [boolean, boolean] = [false, false];
  /** Why the link must end: the other end insists on an address we may not use. */
  refused: string | undefined;

  constructor(private readonly settings: IpcpSettings) {}

  /** Why the peer's (or the server's) choice of `address` is refused, if it is. */
  private refusal(address: string, whose: string): string | undefined {
    const why = refusedAddress(address, {
      localNetworks: this.settings.localNetworks,
      // A client lives inside whatever subnet the server puts it in (road warrior, proxy-arp);
      // a server never lets a peer pick an address of its own networks.
      refuseConnectedSubnets: this.settings.role === 'authenticator',
    });
    return why && `${whose} ${address} refused: ${why}`;
  }

  resetci(): void {
    this.local = this.settings.localAddress ?? UNSPECIFIED;
    this.wantAddress = true;
    this.wantDns = [this.settings.requestDns, this.settings.requestDns];
    this.dns = [undefined, undefined];
  }

  addci(): PppOption[] {
    const opts: IpcpOption[] = [];
    if (this.wantAddress) opts.push({ kind: 'ip-address', address: this.local });
    if (this.wantDns[0]) opts.push({ kind: 'primary-dns', address: this.dns[0] ?? UNSPECIFIED });
    if (this.wantDns[1]) opts.push({ kind: 'secondary-dns', address: this.dns[1] ?? UNSPECIFIED });
    return opts.map(encodeIpcpOption);
  }

  ackci(options: readonly PppOption[]): void {
    for (const raw of options) {
      const o = decodeIpcpOption(raw);
      if (o instanceof WireError) continue;
      if (o.kind === 'primary-dns') this.dns[0] = o.address;
      if (o.kind === 'secondary-dns') this.dns[1] = o.address;
    }
  }

  nakci(options: readonly PppOption[]): boolean {
    for (const raw of options) {
      const o = decodeIpcpOption(raw);
      if (o instanceof WireError) return false;
      if (o.kind === 'ip-address') {
        // RFC 1332 3.3: the Nak carries the address the peer wants us to use. An authenticator
        // keeps its own (a peer that moved us could route our LAN into its tunnel); a peer
        // takes what it is given unless it may not use it.
        if (this.settings.role === 'authenticator' || o.address === UNSPECIFIED || o.address === this.local) continue;
        const why = this.refusal(o.address, 'address assigned to us');
        if (why) this.refused ??= why;
        else if (this.settings.localAddress === undefined) this.local = o.address;
      } else if (o.kind === 'primary-dns' && this.wantDns[0]) {
        this.dns[0] = o.address;
      } else if (o.kind === 'secondary-dns' && this.wantDns[1]) {
        this.dns[1] = o.address;
      }
    }
    return true;
  }

  rejci(options: readonly PppOption[]): boolean {
    for (const raw of options) {
      if (raw.type === IPCP_OPTION.IP_ADDRESS) this.wantAddress = false;
      else if (raw.type === IPCP_OPTION.PRIMARY_DNS) this.wantDns[0] = false;
      else if (raw.type === IPCP_OPTION.SECONDARY_DNS) this.wantDns[1] = false;
      else return false;
    }
    return true;
  }

  reqci(options: readonly PppOption[]): ConfigureReply {
    const naks: PppOption[] = [];
    const rejects: PppOption[] = [];
    for (const raw of options) {
      const o = decodeIpcpOption(raw);
      if (o instanceof WireError) { rejects.push(raw); continue; }
      if (o.kind === 'ip-address') {
        const want = this.settings.remoteAddress;
        if (want !== undefined && o.address !== want) {
          naks.push(encodeIpcpOption({ kind: 'ip-address', address: want }));
        } else if (want !== undefined) {
          this.remote = o.address;
        } else if (o.address === UNSPECIFIED) {
          rejects.push(raw); // we have no address to offer it
        } else if (o.address === this.local && this.local !== UNSPECIFIED) {
          rejects.push(raw); // RFC 1332: both ends cannot hold the same address; we have none to give
        } else {
          const why = this.refusal(o.address, this.settings.role === 'authenticator' ? 'address asked for by the peer' : 'server address');
          if (why) {
            this.refused ??= why;
            rejects.push(raw);
          } else {
            this.remote = o.address;
          }
        }
      } else if ((o.kind === 'primary-dns' || o.kind === 'secondary-dns') && this.settings.dnsServers.length > 0) {
        const server = o.kind === 'primary-dns' ? this.settings.dnsServers[0]! : this.settings.dnsServers[1];
        if (server === undefined) rejects.push(raw);
        else if (o.address !== server) naks.push(encodeIpcpOption({ kind: o.kind, address: server }));
      } else {
        rejects.push(raw); // VJ compression, NBNS, deprecated IP-Addresses, DNS when we have none
      }
    }
    if (rejects.length > 0) return { kind: 'reject', options: rejects };
    if (naks.length > 0) return { kind: 'nak', options: naks };
    if (this.settings.remoteAddress !== undefined && !options.some((o) => o.type === IPCP_OPTION.IP_ADDRESS)) {
      // A peer that does not ask for an address is told which one to use (RFC 1332 3.3).
      return { kind: 'nak', options: [encodeIpcpOption({ kind: 'ip-address', address: this.settings.remoteAddress })] };
    }
    return { kind: 'ack', options: [] };
  }

  result(): IpcpResult {
    const dnsServers = (this.settings.dnsServers.length > 0 ? [...this.settings.dnsServers] : this.dns.filter((d): d is string => d !== undefined && d !== UNSPECIFIED));
    return { localAddress: this.local, remoteAddress: this.remote, dnsServers };
  }
}
