// MPPE in TypeScript (RFC 3078; keys per RFC 3079) over node:crypto's SHA-1 and rc4-reference.ts:
// slow and plain, the oracle for the native implementation. Same behaviour, decision for
// decision, as native/src/crypto/mppe.c.
import { createHash } from 'node:crypto';

import { Rc4Reference } from './rc4-reference.js';
import type {
  MppeDecryptError,
  MppeDecrypter,
  MppeEncrypter,
  MppeImplementation,
  MppeKeyBits,
  MppeParams,
} from './mppe.js';

export const MPPE_HEADER_LENGTH = 2;
export const MPPE_BIT_FLUSHED = 0x80; // A (RFC 3078 section 3)
export const MPPE_BIT_ENCRYPTED = 0x10; // D
const CCOUNT_MASK = 0x0fff;
/** Stateless decrypter: keys kept for late (reordered) packets, as the native side does. */
export const MPPE_KEY_HISTORY = 64;

// Spoofed GRE (issue 15) brings random counts and flags. A count more than MPPE_MAX_AHEAD past
// ours would cost up to 2048 key changes and leave us out of step with the real sender, so alone
// it is refused before any crypto; only MPPE_RESYNC_RUN such packets in a row, each at most
// MPPE_RESYNC_STEP past the one before (a genuine stream after a long loss), move us to it.
export const MPPE_MAX_AHEAD = 256;
const MPPE_RESYNC_STEP = 16;
const MPPE_RESYNC_RUN = 3;

const SHA_PAD1 = Buffer.alloc(40, 0x00); // RFC 3079 section 3.3 SHApad1
const SHA_PAD2 = Buffer.alloc(40, 0xf2); // SHApad2

function keyLength(bits: MppeKeyBits): number {
  return bits === 128 ? 16 : 8;
}

function checkParams(p: MppeParams): void {
  if (p.bits !== 40 && p.bits !== 56 && p.bits !== 128) throw new RangeError(`MPPE: bits must be 40, 56 or 128`);
  if (p.startKey.length !== keyLength(p.bits)) {
    throw new RangeError(`MPPE: a ${p.bits}-bit start key is ${keyLength(p.bits)} octets, got ${p.startKey.length}`);
  }
}

/** RFC 3079 sections 3.3/3.4: 40-bit keys start D1 26 9E, 56-bit keys start D1. */
function reduce(key: Buffer, bits: MppeKeyBits): Buffer {
  if (bits === 40) {
    key[0] = 0xd1;
    key[1] = 0x26;
    key[2] = 0x9e;
  } else if (bits === 56) {
    key[0] = 0xd1;
  }
  return key;
}

function getNewKeyFromSha(startKey: Buffer, sessionKey: Buffer): Buffer {
  const digest = createHash('sha1').update(startKey).update(SHA_PAD1).update(sessionKey).update(SHA_PAD2).digest();
  return digest.subarray(0, startKey.length);
}

/** The session keys of one direction: the initial one and each change after it. */
export class MppeKeyChain {
  private key: Buffer;
  private readonly startKey: Buffer;
  private readonly bits: MppeKeyBits;

  // (no constructor parameter properties: the arm64 tests run this file with Node's type stripping)
  constructor(startKey: Buffer, bits: MppeKeyBits) {
    this.startKey = startKey;
    this.bits = bits;
    // RFC 3079 section 3.5: the initial session key is GetNewKeyFromSHA(StartKey, StartKey)
    this.key = reduce(Buffer.from(getNewKeyFromSha(startKey, startKey)), bits);
  }

  get current(): Buffer {
    return this.key;
  }

  /** RFC 3078 section 7.3: interim = SHA(...); new key = RC4(interim, interim), reduced. */
  change(): Buffer {
    const interim = getNewKeyFromSha(this.startKey, this.key);
    this.key = reduce(new Rc4Reference(interim).update(interim), this.bits);
    return this.key;
  }
}

/** [initial session key, after one change, ...] like the native mppeKeySchedule. */
export function mppeKeyScheduleReference(startKey: Buffer, bits: MppeKeyBits, count: number): Buffer[] {
  const chain = new MppeKeyChain(startKey, bits);
  const keys: Buffer[] = [];
  for (let n = 0; n < count; n++) keys.push(Buffer.from(n === 0 ? chain.current : chain.change()));
  return keys;
}

class ReferenceEncrypter implements MppeEncrypter {
  private readonly chain: MppeKeyChain;
  private rc4: Rc4Reference;
  private ccount = CCOUNT_MASK; // the first packet carries count 0
  private flushNext = false;
  private readonly params: MppeParams;

  constructor(params: MppeParams) {
    checkParams(params);
    this.params = params;
    this.chain = new MppeKeyChain(params.startKey, params.bits);
    this.rc4 = new Rc4Reference(this.chain.current);
  }

  encrypt(plain: Buffer): Buffer {
    this.ccount = (this.ccount + 1) & CCOUNT_MASK;
    let flags = MPPE_BIT_ENCRYPTED;
    // RFC 3078 7.3 (stateless: every packet), 7.2 (stateful: count xxFF, and after a Reset-Request)
    if (this.params.stateless || (this.ccount & 0xff) === 0xff || this.flushNext) {
      this.rc4 = new Rc4Reference(this.chain.change());
      flags |= MPPE_BIT_FLUSHED;
      this.flushNext = false;
    }
    const header = Buffer.from([flags | (this.ccount >> 8), this.ccount & 0xff]);
    return Buffer.concat([header, this.rc4.update(plain)]);
  }

  reset(): void {
    this.flushNext = true;
  }
}

class ReferenceDecrypter implements MppeDecrypter {
  private readonly chain: MppeKeyChain;
  private rc4: Rc4Reference;
  private ccount = CCOUNT_MASK;
  private discard = false;
  private resyncCount = 0;
  private resyncRun = 0;
  /** stateless: slot (ccount mod MPPE_KEY_HISTORY) -> the count and its session key */
  private readonly history = new Map<number, { readonly ccount: number; readonly key: Buffer }>();
  private readonly params: MppeParams;

  constructor(params: MppeParams) {
    checkParams(params);
    this.params = params;
    this.chain = new MppeKeyChain(params.startKey, params.bits);
    this.rc4 = new Rc4Reference(this.chain.current);
  }

  decrypt(packet: Buffer): Buffer | MppeDecryptError {
    if (packet.length < MPPE_HEADER_LENGTH + 1) return { kind: 'too-short' };
    const coherencyCount = ((packet[0]! & 0x0f) << 8) | packet[1]!;
    if ((packet[0]! & MPPE_BIT_ENCRYPTED) === 0) return { kind: 'not-encrypted' };
    const body = packet.subarray(MPPE_HEADER_LENGTH);
    if (this.params.stateless) return this.decryptStateless(coherencyCount, (packet[0]! & MPPE_BIT_FLUSHED) !== 0, body);
    return this.decryptStateful(coherencyCount, (packet[0]! & MPPE_BIT_FLUSHED) !== 0, body);
  }

  private believedJump(cc: number): boolean {
    const step = (cc - this.resyncCount) & CCOUNT_MASK;
    this.resyncRun = this.resyncRun > 0 && step > 0 && step <= MPPE_RESYNC_STEP ? this.resyncRun + 1 : 1;
    this.resyncCount = cc;
    if (this.resyncRun < MPPE_RESYNC_RUN) return false;
    this.resyncRun = 0;
    return true;
  }

  private decryptStateless(cc: number, flushed: boolean, body: Buffer): Buffer | MppeDecryptError {
    // RFC 3078 section 3: with stateless mode negotiated every packet is flushed (A bit set)
    if (!flushed) return { kind: 'stale', coherencyCount: cc };
    const ahead = (cc - this.ccount) & CCOUNT_MASK;
    const old = this.history.get(cc % MPPE_KEY_HISTORY);
    const remembered = old !== undefined && old.ccount === cc;
    let near = ahead !== 0 && ahead <= MPPE_MAX_AHEAD;
    if (!near && !remembered && ahead !== 0) {
      if (!this.believedJump(cc)) return { kind: 'stale', coherencyCount: cc };
      near = true;
    }
    if (near) {
      this.resyncRun = 0;
      // RFC 3078 section 8.1: one key change per count advanced, lost packets included
      while (this.ccount !== cc) {
        this.chain.change();
        this.ccount = (this.ccount + 1) & CCOUNT_MASK;
        if (((cc - this.ccount) & CCOUNT_MASK) < MPPE_KEY_HISTORY) {
          this.history.set(this.ccount % MPPE_KEY_HISTORY, { ccount: this.ccount, key: Buffer.from(this.chain.current) });
        }
      }
      return new Rc4Reference(this.chain.current).update(body);
    }
    // behind (or the same count again): a late packet, decryptable while its key is remembered
    if (!remembered || old === undefined) return { kind: 'stale', coherencyCount: cc };
    return new Rc4Reference(old.key).update(body);
  }

  private decryptStateful(cc: number, flushed: boolean, body: Buffer): Buffer | MppeDecryptError {
    const expected = (this.ccount + 1) & CCOUNT_MASK;
    if (cc !== expected || this.discard) {
      // RFC 3078 section 8.2: a gap loses the RC4 state; drop (a CCP Reset-Request follows)
      // until a flushed packet, which carries everything needed to resync
      if (!flushed) {
        this.discard = true;
        return { kind: 'needs-reset', coherencyCount: cc };
      }
      // the sender changed keys at every "flag" packet (count xxFF) in [expected, cc)
      const gap = (cc - expected) & CCOUNT_MASK;
      for (let n = ((expected & 0xff) + gap) >> 8; n > 0; n--) this.chain.change();
      this.discard = false;
    }
    this.ccount = cc;
    if (flushed) this.rc4 = new Rc4Reference(this.chain.change());
    return this.rc4.update(body);
  }
}

export const referenceMppe: MppeImplementation = {
  name: 'reference',
  encrypter: (params) => new ReferenceEncrypter(params),
  decrypter: (params) => new ReferenceDecrypter(params),
};
