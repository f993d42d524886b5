// BCP option handling (RFC 3518 section 6) for the shared automaton. We bridge Ethernet only
// (MAC type 1, IEEE 802.3 with canonical addresses) and send frames as they are: no LAN FCS, no
// Tinygram-Compression, no LAN or line identification, no spanning tree, no 802.1Q option (tagged
// frames still cross as plain Ethernet frames), no management inline. We ask for MAC-Support 1
// (the RFC strongly recommends it) and reject whatever the peer asks that we do not implement.
import type { ConfigureReply, OptionHandler } from './fsm.js';
import { WireError } from '../wire/error.js';
import { BCP_OPTION, decodeBcpOption, encodeBcpOption, MAC_TYPE } from '../wire/bcp.js';
import type { PppOption } from '../wire/ppp-packet.js';

export class BcpHandler implements OptionHandler {
  private askMacSupport = true;

  resetci(): void {
    this.askMacSupport = true;
  }

  addci(): PppOption[] {
    return this.askMacSupport ? [encodeBcpOption({ kind: 'mac-support', macType: MAC_TYPE.IEEE_802_3 })] : [];
  }

  ackci(): void {}

  nakci(options: readonly PppOption[]): boolean {
    // MAC-Support has no value to negotiate towards: a Nak of it (another MAC type) means the
    // peer does not want ours listed; Ethernet is still what we send, so stop listing it.
    for (const raw of options) if (raw.type === BCP_OPTION.MAC_SUPPORT) this.askMacSupport = false;
    return true;
  }

  rejci(options: readonly PppOption[]): boolean {
    for (const raw of options) {
      if (raw.type !== BCP_OPTION.MAC_SUPPORT) return false;
      this.askMacSupport = false;
    }
    return true;
  }

  reqci(options: readonly PppOption[]): ConfigureReply {
    const rejects: PppOption[] = [];
    for (const raw of options) {
      const o = decodeBcpOption(raw);
      if (o instanceof WireError) { rejects.push(raw); continue; }
      const ours =
        (o.kind === 'mac-support' && o.macType === MAC_TYPE.IEEE_802_3) ||
        // Asking us not to compress tinygrams, or not to send 802.1Q: we do neither anyway.
        ((o.kind === 'tinygram-compression' || o.kind === 'ieee-802-tagged-frame') && !o.enabled);
      if (!ours) rejects.push(raw);
    }
    return rejects.length > 0 ? { kind: 'reject', options: rejects } : { kind: 'ack', options: [] };
  }
}
