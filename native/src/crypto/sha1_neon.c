// SHA-1 compression (FIPS 180-4 section 6.1.2) with the message schedule computed four words at
// a time in NEON and K added there, so the scalar rounds only add one ready word. For arm64
// CPUs without the crypto extension (the Raspberry Pi 4's Cortex-A72). Every arm64 CPU has
// Advanced SIMD, but it is still checked (HWCAP_ASIMD) rather than assumed.
#include "sha1.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <sys/auxv.h>
#include <asm/hwcap.h>

static inline uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

#define K0 0x5A827999u
#define K1 0x6ED9EBA1u
#define K2 0x8F1BBCDCu
#define K3 0xCA62C1D6u

/* wk[t] already holds W[t] + K(t) */
#define ROUND(a, b, c, d, e, f, t) \
  do {                             \
    e += rol(a, 5) + (f) + wk[t];  \
    b = rol(b, 30);                \
  } while (0)
#define F0(b, c, d) (((c ^ d) & b) ^ d)
#define F1(b, c, d) (b ^ c ^ d)
#define F2(b, c, d) ((b & c) | ((b | c) & d))

/* W[t..t+3] from the previous sixteen words: W[t] = rol1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]).
 * Lane 3 needs W[t] (computed in lane 0), so it is patched after the first pass. */
static inline uint32x4_t schedule4(uint32x4_t w16, uint32x4_t w12, uint32x4_t w8, uint32x4_t w4) {
  /* w16 = W[t-16..t-13], w12 = W[t-12..t-9], w8 = W[t-8..t-5], w4 = W[t-4..t-1] */
  uint32x4_t w14 = vextq_u32(w16, w12, 2);             /* W[t-14..t-11] */
  uint32x4_t w3 = vextq_u32(w4, vdupq_n_u32(0), 1);    /* W[t-3..t-1], 0 */
  uint32x4_t x = veorq_u32(veorq_u32(w16, w14), veorq_u32(w8, w3));
  uint32x4_t r = vorrq_u32(vshlq_n_u32(x, 1), vshrq_n_u32(x, 31));
  /* lane 3 misses rol1(W[t]) in its XOR; rol distributes over XOR, so XOR in rol2(x[0]) */
  uint32x4_t x0 = vdupq_laneq_u32(x, 0);
  uint32x4_t rol2 = vorrq_u32(vshlq_n_u32(x0, 2), vshrq_n_u32(x0, 30));
  uint32x4_t mask = {0, 0, 0, 0xffffffffu};
  return veorq_u32(r, vandq_u32(rol2, mask));
}

static void expand(const uint8_t *p, uint32_t wk[80]) {
  uint32x4_t w[20];
  for (int i = 0; i < 4; i++) w[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
  for (int i = 4; i < 20; i++) w[i] = schedule4(w[i - 4], w[i - 3], w[i - 2], w[i - 1]);
  static const uint32_t k[4] = {K0, K1, K2, K3};
  for (int i = 0; i < 20; i++) vst1q_u32(wk + 4 * i, vaddq_u32(w[i], vdupq_n_u32(k[i / 5])));
}

static void sha1_blocks_neon(uint32_t state[5], const uint8_t *data, size_t nblocks) {
  uint32_t wk[80];
  while (nblocks--) {
    expand(data, wk);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
    for (int t = 0; t < 20; t += 5) {
      ROUND(a, b, c, d, e, F0(b, c, d), t);
      ROUND(e, a, b, c, d, F0(a, b, c), t + 1);
      ROUND(d, e, a, b, c, F0(e, a, b), t + 2);
      ROUND(c, d, e, a, b, F0(d, e, a), t + 3);
      ROUND(b, c, d, e, a, F0(c, d, e), t + 4);
    }
    for (int t = 20; t < 40; t += 5) {
      ROUND(a, b, c, d, e, F1(b, c, d), t);
      ROUND(e, a, b, c, d, F1(a, b, c), t + 1);
      ROUND(d, e, a, b, c, F1(e, a, b), t + 2);
      ROUND(c, d, e, a, b, F1(d, e, a), t + 3);
      ROUND(b, c, d, e, a, F1(c, d, e), t + 4);
    }
    for (int t = 40; t < 60; t += 5) {
      ROUND(a, b, c, d, e, F2(b, c, d), t);
      ROUND(e, a, b, c, d, F2(a, b, c), t + 1);
      ROUND(d, e, a, b, c, F2(e, a, b), t + 2);
      ROUND(c, d, e, a, b, F2(d, e, a), t + 3);
      ROUND(b, c, d, e, a, F2(c, d, e), t + 4);
    }
    for (int t = 60; t < 80; t += 5) {
      ROUND(a, b, c, d, e, F1(b, c, d), t);
      ROUND(e, a, b, c, d, F1(a, b, c), t + 1);
      ROUND(d, e, a, b, c, F1(e, a, b), t + 2);
      ROUND(c, d, e, a, b, F1(d, e, a), t + 3);
      ROUND(b, c, d, e, a, F1(c, d, e), t + 4);
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    data += 64;
  }
}

static int neon_available(void) { return (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0; }

const pptp_sha1_impl pptp_sha1_impl_neon = {"neon", sha1_blocks_neon, neon_available};
#else
static int never(void) { return 0; }
const pptp_sha1_impl pptp_sha1_impl_neon = {"neon", 0, never};
#endif
