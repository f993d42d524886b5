// MPPE through the native addon (native/src/crypto/mppe.c): the implementation the data plane
// uses. Behaviour is identical to mppe-reference.ts, which the differential tests check.
import { requireNativeExport } from '../native.js';
import type {
  MppeDecryptError,
  MppeDecrypter,
  MppeEncrypter,
  MppeImplementation,
  MppeParams,
} from './mppe.js';

interface NativeEncrypter {
  encrypt(plain: Uint8Array): Buffer;
  reset(): void;
}
interface NativeDecrypter {
  /** plain text, or a negative code (native/src/crypto/mppe.h pptp_mppe_result) */
  decrypt(packet: Uint8Array): Buffer | number;
}
type EncrypterCtor = new (startKey: Uint8Array, bits: number, stateless: boolean) => NativeEncrypter;
type DecrypterCtor = new (startKey: Uint8Array, bits: number, stateless: boolean) => NativeDecrypter;

const TOO_SHORT = -1;
const NOT_ENCRYPTED = -2;
const NEEDS_RESET = -3;
const STALE = -4;

function checkParams(p: MppeParams): void {
  const want = p.bits === 128 ? 16 : 8;
  if (p.bits !== 40 && p.bits !== 56 && p.bits !== 128) throw new RangeError('MPPE: bits must be 40, 56 or 128');
  if (p.startKey.length !== want) {
    throw new RangeError(`MPPE: a ${p.bits}-bit start key is ${want} octets, got ${p.startKey.length}`);
  }
}

function toError(code: number, packet: Buffer): MppeDecryptError {
  const coherencyCount = packet.length >= 2 ? ((packet[0]! & 0x0f) << 8) | packet[1]! : 0;
  switch (code) {
    case TOO_SHORT:
      return { kind: 'too-short' };
    case NOT_ENCRYPTED:
      return { kind: 'not-encrypted' };
    case NEEDS_RESET:
      return { kind: 'needs-reset', coherencyCount };
    case STALE:
      return { kind: 'stale', coherencyCount };
    default:
      throw new Error(`native MPPE: unknown result code ${code}`);
  }
}

export const nativeMppe: MppeImplementation = {
  name: 'native',
  encrypter(params: MppeParams): MppeEncrypter {
    checkParams(params);
    const Ctor = requireNativeExport<EncrypterCtor>('MppeEncrypter');
    const enc = new Ctor(params.startKey, params.bits, params.stateless);
    return { encrypt: (plain) => enc.encrypt(plain), reset: () => enc.reset() };
  },
  decrypter(params: MppeParams): MppeDecrypter {
    checkParams(params);
    const Ctor = requireNativeExport<DecrypterCtor>('MppeDecrypter');
    const dec = new Ctor(params.startKey, params.bits, params.stateless);
    return {
      decrypt(packet: Buffer): Buffer | MppeDecryptError {
        const out = dec.decrypt(packet);
        return typeof out === 'number' ? toError(out, packet) : out;
      },
    };
  },
};
