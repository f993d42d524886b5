// Multilink PPP fragments (RFC 1990 section 3) over one link: the MP header codec, a fragmenter
// and a reassembler, as pure state machines (time is a parameter). native/src/dataplane/multilink.c
// is the same logic in C; test/dataplane/multilink-differential.test.ts holds them to each other.
//
// Long sequence number format:  B E 0 0 0 0 0 0 | sequence (24 bits)      (4 octets)
// Short sequence number format: B E 0 0 | sequence (12 bits)               (2 octets)
// The fragments' payloads joined are one PPP packet: Protocol field (1 octet when PFC allows it)
// and Information. With MPPE that packet is the encrypted 0x00FD one (Linux ppp_generic order:
// compress/encrypt, then fragment); the receiver reassembles, then decrypts.

import { WireError } from './error.js';

export const MP_BEGIN = 0x80;
export const MP_END = 0x40;
export const MP_LONG_HEADER = 4;
export const MP_SHORT_HEADER = 2;

export interface MpFragment {
  readonly begin: boolean;
  readonly end: boolean;
  readonly sequence: number;
  readonly payload: Buffer;
}

export function mpHeaderLength(shortSequence: boolean): number {
  return shortSequence ? MP_SHORT_HEADER : MP_LONG_HEADER;
}

export function sequenceModulus(shortSequence: boolean): number {
  return shortSequence ? 0x1000 : 0x1000000;
}

/** Parses the Information field of a 0x003d frame. */
export function parseMpFragment(information: Buffer, shortSequence: boolean): MpFragment | WireError {
  const h = mpHeaderLength(shortSequence);
  if (information.length <= h) return new WireError('MP fragment', 'header', 0, `needs more than ${h} octets, got ${information.length}`);
  const flags = information[0]!;
  const reserved = shortSequence ? flags & 0x30 : flags & 0x3f;
  if (reserved !== 0) return new WireError('MP fragment', 'reserved bits', 0, `0x${flags.toString(16)} has reserved bits set (wrong sequence format?)`);
  const sequence = shortSequence ? ((flags & 0x0f) << 8) | information[1]! : information.readUInt32BE(0) & 0xffffff;
  return { begin: (flags & MP_BEGIN) !== 0, end: (flags & MP_END) !== 0, sequence, payload: information.subarray(h) };
}

export function emitMpFragment(fragment: MpFragment, shortSequence: boolean): Buffer {
  const h = mpHeaderLength(shortSequence);
  const out = Buffer.allocUnsafe(h + fragment.payload.length);
  const flags = (fragment.begin ? MP_BEGIN : 0) | (fragment.end ? MP_END : 0);
  if (shortSequence) {
    out[0] = flags | ((fragment.sequence >> 8) & 0x0f);
    out[1] = fragment.sequence & 0xff;
  } else {
    out.writeUInt32BE((flags << 24 | (fragment.sequence & 0xffffff)) >>> 0, 0);
  }
  fragment.payload.copy(out, h);
  return out;
}

/** Splits PPP packets into MP fragments whose Information (header included) fits the link MTU. */
export class MpFragmenter {
  private sequence = 0;

  constructor(private readonly shortSequence: boolean) {}

  /**
   * `packet` is Protocol field + Information; `mtu` the peer's MRU. Returns the Information
   * fields of the 0x003d frames to send, in order. Equal-sized fragments, so none is a runt.
   */
  fragment(packet: Buffer, mtu: number): Buffer[] {
    const room = mtu - mpHeaderLength(this.shortSequence);
    if (room < 1) throw new RangeError(`MTU ${mtu} leaves no room for an MP fragment`);
    const count = Math.max(1, Math.ceil(packet.length / room));
    const size = Math.ceil(packet.length / count);
    const out: Buffer[] = [];
    for (let i = 0, at = 0; i < count; i++, at += size) {
      out.push(emitMpFragment({
        begin: i === 0,
        end: i === count - 1,
        sequence: this.sequence,
        payload: packet.subarray(at, Math.min(packet.length, at + size)),
      }, this.shortSequence));
      this.sequence = (this.sequence + 1) % sequenceModulus(this.shortSequence);
    }
    return out;
  }
}

export interface ReassemblyLimits {
  /** Largest reassembled packet, Protocol field included (our MRRU + 2). */
  readonly maxPacket: number;
  /** Most fragments one packet may take. */
  readonly maxFragments: number;
  /** A packet still incomplete this long after its first fragment is dropped, ms. */
  readonly timeoutMs: number;
}

export type MpDropReason = 'lost-fragment' | 'too-long' | 'timeout' | 'malformed';

export interface ReassemblyResult {
  /** Whole packets (Protocol field + Information), in order. */
  readonly packets: Buffer[];
  /** Partial packets given up, with why. */
  readonly dropped: MpDropReason[];
}

/**
 * One link's reassembler. The GRE receive window below already puts frames in order and drops
 * duplicates, so fragments arrive in sequence: a gap means a fragment was lost, and only the
 * packet it belonged to is dropped (its other fragments are discarded up to the next B bit).
 * At most one packet is held, bounded by `maxPacket` octets and `maxFragments` fragments.
 */
export class MpReassembler {
  private parts: Buffer[] = [];
  private octets = 0;
  private expected: number | undefined;
  private startedAt = 0;
  /** A fragment went missing inside the current packet: skip until the next B bit. */
  private skipping = false;

  constructor(private readonly shortSequence: boolean, private readonly limits: ReassemblyLimits) {}

  get holding(): number { return this.octets; }

  receive(information: Buffer, now: number): ReassemblyResult {
    const packets: Buffer[] = [];
    const dropped: MpDropReason[] = [];
    const f = parseMpFragment(information, this.shortSequence);
    if (f instanceof WireError) return { packets, dropped: ['malformed'] };
    this.expireInto(now, dropped);
    const mod = sequenceModulus(this.shortSequence);
    if (this.expected !== undefined && f.sequence !== this.expected && (this.parts.length > 0 || this.skipping)) {
      // Lost fragment(s) between: the packet in progress cannot complete.
      if (this.parts.length > 0) dropped.push('lost-fragment');
      this.reset();
      this.skipping = !f.begin;
    }
    this.expected = (f.sequence + 1) % mod;
    if (f.begin) {
      if (this.parts.length > 0) dropped.push('lost-fragment'); // its E fragment never came
      this.reset();
      this.startedAt = now;
    } else if (this.parts.length === 0) {
      // A middle or end fragment with nothing begun: the packet's start was lost (counted once).
      if (!this.skipping) dropped.push('lost-fragment');
      this.skipping = !f.end;
      return { packets, dropped };
    }
    if (this.octets + f.payload.length > this.limits.maxPacket || this.parts.length + 1 > this.limits.maxFragments) {
      dropped.push('too-long');
      this.reset();
      this.skipping = !f.end;
      return { packets, dropped };
    }
    this.parts.push(Buffer.from(f.payload));
    this.octets += f.payload.length;
    if (f.end) {
      packets.push(this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.octets));
      this.reset();
    }
    return { packets, dropped };
  }

  /** Drops a packet that has waited too long; the caller runs this from a timer. */
  expire(now: number): MpDropReason[] {
    const dropped: MpDropReason[] = [];
    this.expireInto(now, dropped);
    return dropped;
  }

  /** When expire() next has something to do (undefined: nothing held). */
  nextDeadline(): number | undefined {
    return this.parts.length > 0 ? this.startedAt + this.limits.timeoutMs : undefined;
  }

  private expireInto(now: number, dropped: MpDropReason[]): void {
    if (this.parts.length > 0 && now - this.startedAt >= this.limits.timeoutMs) {
      dropped.push('timeout');
      this.reset();
      this.skipping = true;
    }
  }

  private reset(): void {
    this.parts = [];
    this.octets = 0;
    this.skipping = false;
  }
}
