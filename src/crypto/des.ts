// Single-block DES encryption (FIPS 46-3), written here because Node's OpenSSL 3 offers DES only
// through the legacy provider. MS-CHAP (RFC 2433 appendix A, RFC 2759 section 8.6) needs only
// the encryption of one 8-octet block under a 56-bit key given as 7 octets, at login time, so
// this works bit by bit for clarity, not speed. The tables are FIPS 46-3's, 1-based bit numbers
// where bit 1 is the most significant bit of the first octet.

const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
  62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
  61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];

// The final permutation is the inverse of IP.
const FP = (() => {
  const inverse = new Array<number>(64);
  IP.forEach((from, to) => (inverse[from - 1] = to + 1));
  return inverse;
})();

const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
  16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];

const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
  2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
];

const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
  10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
  14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];

const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];

const KEY_SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

// S-boxes: 4 rows of 16 each; the row is chosen by the outer bits of the 6-bit input, the
// column by the inner four.
const S_BOXES = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
    0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
    4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
    15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
    3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
    0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
    13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
    13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
    13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
    1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
    13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
    10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
    3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
    14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
    4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
    11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
    10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
    9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
    4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
    13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
    1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
    6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
    1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
    7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
    2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

type Bits = number[]; // one 0/1 entry per bit, most significant first

function toBits(bytes: Uint8Array): Bits {
  const bits: Bits = [];
  for (const byte of bytes) for (let i = 7; i >= 0; i--) bits.push((byte >> i) & 1);
  return bits;
}

function fromBits(bits: Bits): Buffer {
  const out = Buffer.alloc(bits.length / 8);
  bits.forEach((bit, i) => (out[i >> 3]! |= bit << (7 - (i & 7))));
  return out;
}

const permute = (bits: Bits, table: number[]): Bits => table.map((n) => bits[n - 1]!);
const xor = (a: Bits, b: Bits): Bits => a.map((bit, i) => bit ^ b[i]!);
const rotateLeft = (bits: Bits, n: number): Bits => [...bits.slice(n), ...bits.slice(0, n)];

/**
 * Spreads a 56-bit key given as 7 octets over 8 octets, seven key bits in the high bits of each
 * with an odd-parity bit in the low bit (RFC 2759 section 8.6: DES takes 64 bits of which every
 * 8th is parity, ignored by the cipher; RFC 2433 appendix A does the same).
 */
export function expandDesKey(key7: Uint8Array): Buffer {
  if (key7.length !== 7) throw new RangeError(`DES key must be 7 octets, got ${key7.length}`);
  const bits = toBits(key7);
  const key8 = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) {
    const seven = bits.slice(i * 7, i * 7 + 7);
    const ones = seven.reduce((n, bit) => n + bit, 0);
    key8[i] = (seven.reduce((v, bit) => (v << 1) | bit, 0) << 1) | (ones % 2 === 0 ? 1 : 0);
  }
  return key8;
}

/** The 16 round keys (48 bits each) of FIPS 46-3's key schedule. */
function roundKeys(key8: Uint8Array): Bits[] {
  const cd = permute(toBits(key8), PC1);
  let c = cd.slice(0, 28);
  let d = cd.slice(28);
  return KEY_SHIFTS.map((shift) => {
    c = rotateLeft(c, shift);
    d = rotateLeft(d, shift);
    return permute([...c, ...d], PC2);
  });
}

/** The cipher function f(R, K) of FIPS 46-3. */
function feistel(right: Bits, subkey: Bits): Bits {
  const mixed = xor(permute(right, E), subkey);
  const out: Bits = [];
  for (let box = 0; box < 8; box++) {
    const six = mixed.slice(box * 6, box * 6 + 6);
    const row = (six[0]! << 1) | six[5]!;
    const column = (six[1]! << 3) | (six[2]! << 2) | (six[3]! << 1) | six[4]!;
    const value = S_BOXES[box]![row * 16 + column]!;
    for (let i = 3; i >= 0; i--) out.push((value >> i) & 1);
  }
  return permute(out, P);
}

/** DES-encrypts one block under an 8-octet key (parity bits ignored). */
export function desEncryptBlock(key8: Uint8Array, block8: Uint8Array): Buffer {
  if (key8.length !== 8) throw new RangeError(`DES key must be 8 octets, got ${key8.length}`);
  if (block8.length !== 8) throw new RangeError(`DES block must be 8 octets, got ${block8.length}`);
  const bits = permute(toBits(block8), IP);
  let left = bits.slice(0, 32);
  let right = bits.slice(32);
  for (const subkey of roundKeys(key8)) {
    [left, right] = [right, xor(left, feistel(right, subkey))];
  }
  // The last round's halves are not swapped: the pre-output block is R16 L16.
  return fromBits(permute([...right, ...left], FP));
}

/** DesEncrypt of RFC 2759 section 8.6 / RFC 2433 appendix A: a 7-octet key, one 8-octet block. */
export function desEncrypt(key7: Uint8Array, block8: Uint8Array): Buffer {
  return desEncryptBlock(expandDesKey(key7), block8);
}
