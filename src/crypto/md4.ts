// MD4 (RFC 1320), written here because Node's OpenSSL 3 offers it only through the legacy
// provider. Used only at login time (NtPasswordHash of MS-CHAP, RFC 2433/2759), so it is
// written for clarity, not speed.

const INITIAL_STATE = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476] as const;

// RFC 1320 section 3.4: the constants added in rounds 2 and 3 (sqrt 2 and sqrt 3 in hex).
const ROUND2_K = 0x5a827999;
const ROUND3_K = 0x6ed9eba1;

// Per round: the message word order and the four rotate amounts (RFC 1320 section 3.4).
const ROUND1_ORDER = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const ROUND2_ORDER = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const ROUND3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
const ROUND1_SHIFTS = [3, 7, 11, 19];
const ROUND2_SHIFTS = [3, 5, 9, 13];
const ROUND3_SHIFTS = [3, 9, 11, 15];

const rotl = (x: number, s: number): number => ((x << s) | (x >>> (32 - s))) >>> 0;
const f = (x: number, y: number, z: number): number => (x & y) | (~x & z);
const g = (x: number, y: number, z: number): number => (x & y) | (x & z) | (y & z);
const h = (x: number, y: number, z: number): number => x ^ y ^ z;

/** Pads per RFC 1320 sections 3.1-3.2: 0x80, zeros to 56 mod 64, then the bit length as 64-bit little-endian. */
function pad(data: Uint8Array): Buffer {
  const paddedLength = (Math.floor((data.length + 8) / 64) + 1) * 64;
  const out = Buffer.alloc(paddedLength);
  out.set(data, 0);
  out[data.length] = 0x80;
  const bitLength = data.length * 8;
  out.writeUInt32LE(bitLength % 0x1_0000_0000, paddedLength - 8);
  out.writeUInt32LE(Math.floor(bitLength / 0x1_0000_0000), paddedLength - 4);
  return out;
}

export function md4(data: Uint8Array): Buffer {
  const state: number[] = [...INITIAL_STATE];
  const message = pad(data);
  const x = new Array<number>(16);
  for (let block = 0; block < message.length; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = message.readUInt32LE(block + i * 4);
    let [a, b, c, d] = state as [number, number, number, number];
    const rounds: Array<[(x: number, y: number, z: number) => number, number, number[], number[]]> = [
      [f, 0, ROUND1_ORDER, ROUND1_SHIFTS],
      [g, ROUND2_K, ROUND2_ORDER, ROUND2_SHIFTS],
      [h, ROUND3_K, ROUND3_ORDER, ROUND3_SHIFTS],
    ];
    for (const [fn, k, order, shifts] of rounds) {
      for (let step = 0; step < 16; step++) {
        // Each step updates one of a, d, c, b in turn: a = (a + fn(b,c,d) + X[k] + K) <<< s.
        const t = rotl((a + fn(b, c, d) + x[order[step]!]! + k) >>> 0, shifts[step % 4]!);
        a = d;
        d = c;
        c = b;
        b = t;
      }
    }
    state[0] = (state[0]! + a) >>> 0;
    state[1] = (state[1]! + b) >>> 0;
    state[2] = (state[2]! + c) >>> 0;
    state[3] = (state[3]! + d) >>> 0;
  }
  const digest = Buffer.alloc(16);
  state.forEach((word, i) => digest.writeUInt32LE(word, i * 4));
  return digest;
}
