// The MPPE per-packet cipher contract (RFC 3078, keys per RFC 3079). Two implementations fulfil
// it: the native addon (the fast path) and a TypeScript reference (the oracle that differential
// tests compare the native one against). The data plane uses only this interface.
//
// Keys: a start key is what login-time derivation produced (MS-CHAPv2: MasterSendKey or
// MasterReceiveKey, RFC 3079 section 3.4; MS-CHAPv1: section 2), 8 octets for 40/56-bit and
// 16 for 128-bit. The cipher derives the initial session key from it itself and re-keys as the
// mode requires.

export type MppeKeyBits = 40 | 56 | 128;

export interface MppeParams {
  readonly startKey: Buffer;
  readonly bits: MppeKeyBits;
  /** Stateless ("H" bit): a new key for every packet. Stateful: every 256 packets. */
  readonly stateless: boolean;
}

/** Why a received MPPE packet could not be decrypted. */
export type MppeDecryptError =
  | { readonly kind: 'too-short' }
  | { readonly kind: 'not-encrypted' } // E bit clear: we never negotiate MPPC without MPPE
  /** Stateful mode lost sync: the caller sends a CCP Reset-Request and drops until a flushed packet. */
  | { readonly kind: 'needs-reset'; readonly coherencyCount: number }
  | { readonly kind: 'stale'; readonly coherencyCount: number }; // too far behind to re-key to

export interface MppeEncrypter {
  /** Encrypts one PPP payload (protocol field + information) and returns the 2-byte MPPE header + ciphertext. */
  encrypt(plain: Buffer): Buffer;
  /** After a CCP Reset-Request from the peer: the next packet is sent with the flushed (A) bit and a fresh key. */
  reset(): void;
}

export interface MppeDecrypter {
  /** Decrypts one MPPE packet (the 0x00FD protocol's information field). */
  decrypt(packet: Buffer): Buffer | MppeDecryptError;
}

export interface MppeImplementation {
  readonly name: string; // "native" or "reference"
  encrypter(params: MppeParams): MppeEncrypter;
  decrypter(params: MppeParams): MppeDecrypter;
}
