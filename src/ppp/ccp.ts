// CCP option handling (RFC 1962) for MPPE only (RFC 3078 section 2): each side's
// Configure-Request says how it wants to *receive*; the Supported Bits offered may hold several
// key lengths and the other side Naks back exactly one (the strongest both allow) plus the H
// bit for stateless mode. Compression (MPPC, the C bit) and every other CCP option is refused.

import type { ConfigureReply, OptionHandler } from './fsm.js';
import { WireError } from '../wire/error.js';
import { CCP_OPTION, decodeCcpOption, encodeCcpOption, MPPE_BIT } from '../wire/ccp-options.js';
import type { PppOption } from '../wire/ppp-packet.js';
import type { MppeKeyBits } from '../crypto/mppe.js';

export const CCP_CODE = { RESET_REQUEST: 14, RESET_ACK: 15 } as const;

/** stateless: insist on H; stateful: insist on no H; either: accept what the peer wants (we offer H). */
export type MppeMode = 'stateless' | 'stateful' | 'either';

export interface CcpSettings {
  readonly keyLengths: readonly MppeKeyBits[];
  readonly mode: MppeMode;
}

export interface MppeDirection {
  readonly bits: MppeKeyBits;
  readonly stateless: boolean;
}

export interface CcpResult {
  readonly send: MppeDirection | undefined; // what we acknowledged of the peer's request
  readonly receive: MppeDirection | undefined; // what the peer acknowledged of ours
}

const LENGTH_BIT: Record<MppeKeyBits, number> = { 40: MPPE_BIT.L, 56: MPPE_BIT.M, 128: MPPE_BIT.S };
const STRONGEST_FIRST: readonly MppeKeyBits[] = [128, 56, 40];

export function mppeBits(lengths: Iterable<MppeKeyBits>, stateless: boolean): number {
  let bits = stateless ? MPPE_BIT.H : 0;
  for (const l of lengths) bits |= LENGTH_BIT[l];
  return bits >>> 0;
}

/** The single key length a bit field settles on, or undefined when it names none or several. */
export function settledLength(bits: number): MppeKeyBits | undefined {
  const lengths = STRONGEST_FIRST.filter((l) => (bits & LENGTH_BIT[l]) !== 0);
  return lengths.length === 1 ? lengths[0] : undefined;
}

export function describeMppe(d: MppeDirection): string {
  return `MPPE${d.bits} ${d.stateless ? 'stateless' : 'stateful'}`;
}

/**
 * The monitor's `encoding` column: "" unencrypted, "MPPE128 stateless" when both directions
 * agree, "send/receive" (e.g. "MPPE128 stateless/MPPE40 stateless") when they differ.
 */
export function describeEncoding(send: MppeDirection | undefined, receive: MppeDirection | undefined): string {
  if (!send && !receive) return '';
  const s = send ? describeMppe(send) : 'none';
  const r = receive ? describeMppe(receive) : 'none';
  return s === r ? s : `${s}/${r}`;
}

export class CcpHandler implements OptionHandler {
  private offer = 0;
  private wantMppe = true;
  private sendDir: MppeDirection | undefined;
  private receiveDir: MppeDirection | undefined;
  /** The peer rejected MPPE or offered none we accept: encryption is impossible. */
  failed = false;

  constructor(private readonly settings: CcpSettings) {}

  private allowed(): MppeKeyBits[] {
    return STRONGEST_FIRST.filter((l) => this.settings.keyLengths.includes(l));
  }

  resetci(): void {
    this.offer = mppeBits(this.allowed(), this.settings.mode !== 'stateful');
    this.wantMppe = this.allowed().length > 0;
    // Only our request's state: the send direction belongs to the peer's request, and on a
    // renegotiation from Opened the automaton judges that request (reqci) before it starts ours.
    this.receiveDir = undefined;
    this.failed = false;
  }

  addci(): PppOption[] {
    return this.wantMppe ? [encodeCcpOption({ kind: 'mppe', bits: this.offer })] : [];
  }

  ackci(options: readonly PppOption[]): void {
    const o = options.length === 1 ? decodeCcpOption(options[0]!) : undefined;
    if (o && !(o instanceof WireError) && o.kind === 'mppe') {
      const bits = settledLength(o.bits);
      this.receiveDir = bits ? { bits, stateless: (o.bits & MPPE_BIT.H) !== 0 } : undefined;
      if (!bits) this.failed = true;
    }
  }

  nakci(options: readonly PppOption[]): boolean {
    for (const raw of options) {
      const o = decodeCcpOption(raw);
      if (o instanceof WireError) return false;
      if (o.kind !== 'mppe') continue;
      const common = this.allowed().filter((l) => (o.bits & LENGTH_BIT[l]) !== 0);
      if (common.length === 0) {
        this.failed = true;
        this.wantMppe = false;
        continue;
      }
      let stateless = (o.bits & MPPE_BIT.H) !== 0;
      if (this.settings.mode === 'stateless') stateless = true;
      if (this.settings.mode === 'stateful') stateless = false;
      this.offer = mppeBits([common[0]!], stateless);
    }
    return true;
  }

  rejci(options: readonly PppOption[]): boolean {
    for (const raw of options) {
      if (raw.type !== CCP_OPTION.MPPE) return false;
      this.wantMppe = false;
      this.failed = true;
    }
    return true;
  }

  reqci(options: readonly PppOption[]): ConfigureReply {
    const rejects: PppOption[] = [];
    let nak: PppOption | undefined;
    let accepted: MppeDirection | undefined;
    this.sendDir = undefined;
    for (const raw of options) {
      const o = decodeCcpOption(raw);
      if (o instanceof WireError || o.kind !== 'mppe') { rejects.push(raw); continue; }
      const common = this.allowed().filter((l) => (o.bits & LENGTH_BIT[l]) !== 0);
      const peerStateless = (o.bits & MPPE_BIT.H) !== 0;
      const stateless = this.settings.mode === 'either' ? peerStateless : this.settings.mode === 'stateless';
      if (common.length === 0) {
        // Nothing in common: tell it what we could do; it will reject or give up (RFC 3078 2.1).
        nak = encodeCcpOption({ kind: 'mppe', bits: mppeBits(this.allowed(), stateless) });
        continue;
      }
      const exact = mppeBits([common[0]!], stateless);
      // Anything but exactly one length, the right H bit and no MPPC/obsolete bits gets a Nak.
      if (o.bits >>> 0 !== exact) nak = encodeCcpOption({ kind: 'mppe', bits: exact });
      else accepted = { bits: common[0]!, stateless };
    }
    if (rejects.length > 0) return { kind: 'reject', options: rejects };
    if (!nak && !accepted && this.allowed().length > 0) {
      // The peer asked for no MPPE at all: suggest it (a Nak may add options, RFC 1661 5.3);
      // a peer that cannot encrypt rejects or gives up, and the session decides what that means.
      const stateless = this.settings.mode !== 'stateful';
      nak = encodeCcpOption({ kind: 'mppe', bits: mppeBits(this.allowed(), stateless) });
    }
    if (nak) return { kind: 'nak', options: [nak] };
    this.sendDir = accepted;
    return { kind: 'ack', options: [] };
  }

  result(): CcpResult {
    return { send: this.sendDir, receive: this.receiveDir };
  }
}
