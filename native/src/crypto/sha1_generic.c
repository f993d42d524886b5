// Portable SHA-1 compression (FIPS 180-4 section 6.1.2) in plain C, the same on every
// architecture: the fallback everywhere and the reference the others are tested against. (On
// arm64 the NEON-schedule variant, sha1_neon.c, is its own implementation in the dispatch table.)
#include "sha1.h"

static inline uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static inline uint32_t load_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#define K0 0x5A827999u
#define K1 0x6ED9EBA1u
#define K2 0x8F1BBCDCu
#define K3 0xCA62C1D6u

#define F0(b, c, d) (((c ^ d) & b) ^ d)
#define F1(b, c, d) (b ^ c ^ d)
#define F2(b, c, d) ((b & c) | ((b | c) & d))

/* Scalar: the schedule lives in a 16-word ring and is computed inside the rounds. (A separate
 * expansion loop gets auto-vectorised into stores that the next words' scalar loads cannot
 * forward from, which made it three times slower.) */
#define W(t) w[(t) & 15]
#define SCHED(t) (W(t) = rol(W((t) - 3) ^ W((t) - 8) ^ W((t) - 14) ^ W((t) - 16), 1))
#define RND(a, b, c, d, e, f, k, wt) \
  do {                               \
    e += rol(a, 5) + (f) + (k) + (wt); \
    b = rol(b, 30);                  \
  } while (0)
#define FIVE(t, F, k, WX)                                  \
  RND(a, b, c, d, e, F(b, c, d), k, WX((t)));              \
  RND(e, a, b, c, d, F(a, b, c), k, WX((t) + 1));          \
  RND(d, e, a, b, c, F(e, a, b), k, WX((t) + 2));          \
  RND(c, d, e, a, b, F(d, e, a), k, WX((t) + 3));          \
  RND(b, c, d, e, a, F(c, d, e), k, WX((t) + 4))
#define LOADED(t) W(t)
#define MIXED(t) ((t) < 16 ? W(t) : SCHED(t))

void pptp_sha1_blocks_generic(uint32_t state[5], const uint8_t *data, size_t nblocks) {
  uint32_t w[16];
  while (nblocks--) {
    for (int t = 0; t < 16; t++) w[t] = load_be32(data + 4 * t);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
    FIVE(0, F0, K0, LOADED);
    FIVE(5, F0, K0, LOADED);
    FIVE(10, F0, K0, LOADED);
    FIVE(15, F0, K0, MIXED);
    FIVE(20, F1, K1, SCHED);
    FIVE(25, F1, K1, SCHED);
    FIVE(30, F1, K1, SCHED);
    FIVE(35, F1, K1, SCHED);
    FIVE(40, F2, K2, SCHED);
    FIVE(45, F2, K2, SCHED);
    FIVE(50, F2, K2, SCHED);
    FIVE(55, F2, K2, SCHED);
    FIVE(60, F1, K3, SCHED);
    FIVE(65, F1, K3, SCHED);
    FIVE(70, F1, K3, SCHED);
    FIVE(75, F1, K3, SCHED);
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    data += 64;
  }
}
