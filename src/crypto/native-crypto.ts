// Typed face of the native crypto in the addon (native/src/crypto): an RC4 stream, SHA-1 with
// the implementation chosen at load (PPTP_SHA1_IMPL=generic|neon|shani|armv8ce forces one), the CPU
// features that choice looked at, the RFC 3079 key schedule and the in-C benchmark loops.
import { requireBenchExport, requireNativeExport } from '../native.js';

export type Sha1ImplementationName = 'generic' | 'neon' | 'shani' | 'armv8ce';

export interface Sha1Implementation {
  readonly name: Sha1ImplementationName;
  /** false: compiled in (right architecture) but this CPU lacks the instructions */
  readonly available: boolean;
}

export interface NativeRc4Stream {
  /** Encrypts/decrypts the next bytes of the key stream; with `out`, writes there and returns it. */
  update(data: Uint8Array, out?: Uint8Array): Buffer;
}

interface Rc4StreamConstructor {
  new (key: Uint8Array): NativeRc4Stream;
}

export function createRc4Stream(key: Uint8Array): NativeRc4Stream {
  const Ctor = requireNativeExport<Rc4StreamConstructor>('Rc4Stream');
  return new Ctor(key);
}

/** One-shot RC4: a fresh key schedule over `key`, then `data` XOR the key stream. */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  return createRc4Stream(key).update(data);
}

export function sha1(data: Uint8Array): Buffer {
  return requireNativeExport<(d: Uint8Array) => Buffer>('sha1')(data);
}

/** Every SHA-1 implementation compiled for this architecture, with whether this CPU runs it. */
export function sha1Implementations(): readonly Sha1Implementation[] {
  return requireNativeExport<() => Sha1Implementation[]>('sha1Implementations')();
}

export function sha1Available(): readonly Sha1ImplementationName[] {
  return sha1Implementations()
    .filter((i) => i.available)
    .map((i) => i.name);
}

export function sha1Active(): Sha1ImplementationName {
  return requireNativeExport<() => Sha1ImplementationName>('sha1Active')();
}

/** Switches the process-wide SHA-1 implementation; throws if unknown or not runnable here. */
export function sha1Force(name: Sha1ImplementationName): void {
  requireNativeExport<(n: string) => void>('sha1Force')(name);
}

/** CPU features the dispatcher looked at ("sha_ni", "ssse3", ... on x86-64; "asimd", "sha1", ... on arm64). */
export function cpuFeatures(): readonly string[] {
  return requireNativeExport<() => string[]>('cpuFeatures')();
}

/**
 * (Bench-only addon.) RFC 3079 session keys from a start key: [0] is the initial session key (section 3.5's
 * "SendSessionKey"), [n] the key after n key changes (RFC 3078 section 7.3).
 */
export function mppeKeySchedule(startKey: Uint8Array, bits: 40 | 56 | 128, count: number): Buffer[] {
  return requireBenchExport<(k: Uint8Array, b: number, c: number) => Buffer[]>('mppeKeySchedule')(
    startKey,
    bits,
    count,
  );
}

export type CryptoBenchmarkKind = 'rc4' | 'rc4-x2' | 'sha1' | 'mppe-stateful' | 'mppe-stateless' | 'mppe-stateless-x2';

/** Seconds the C code takes for `count` operations on `size`-byte inputs (bench/ only). */
export function cryptoBenchmark(kind: CryptoBenchmarkKind, size: number, count: number): number {
  return requireBenchExport<(k: string, s: number, c: number) => number>('cryptoBenchmark')(kind, size, count);
}

/**
 * (Bench-only addon.) The MPPE packets one encrypter produces for `packets`, in order; with
 * `pairs`, consecutive packets go through the multi-buffer pptp_mppe_encrypt_x2.
 */
export function mppeEncryptSequence(startKey: Uint8Array, bits: 40 | 56 | 128, stateless: boolean, packets: readonly Uint8Array[], pairs: boolean): Buffer[] {
  return requireBenchExport<(k: Uint8Array, b: number, s: boolean, p: readonly Uint8Array[], x: boolean) => Buffer[]>('mppeEncryptSequence')(
    startKey, bits, stateless, packets, pairs,
  );
}

/** (Bench-only addon.) Two RC4 streams through the interleaved (multi-buffer) key schedule and key stream. */
export function rc4Pair(keyA: Uint8Array, dataA: Uint8Array, keyB: Uint8Array, dataB: Uint8Array): [Buffer, Buffer] {
  return requireBenchExport<(ka: Uint8Array, da: Uint8Array, kb: Uint8Array, db: Uint8Array) => [Buffer, Buffer]>('rc4Pair')(keyA, dataA, keyB, dataB);
}
