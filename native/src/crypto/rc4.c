// RC4 written for speed in portable C. The keystream loop is unrolled eight bytes at a time,
// loads the next S[i] before the current swap's stores land (fixing it up in the rare case
// j == i + 1) and XORs a whole 64-bit word. The key schedule has fixed-length variants (8 and
// 16 octets, the MPPE key sizes) so the key index is a mask, not a modulo. Both matter for
// MPPE: stateless mode runs two key schedules per packet (RFC 3078 section 7.3).
#include "rc4.h"

#include <string.h>

static const uint32_t kIdentity[256] = {
#define R4(n) (n), (n) + 1, (n) + 2, (n) + 3
#define R16(n) R4(n), R4((n) + 4), R4((n) + 8), R4((n) + 12)
#define R64(n) R16(n), R16((n) + 16), R16((n) + 32), R16((n) + 48)
    R64(0), R64(64), R64(128), R64(192)
#undef R64
#undef R16
#undef R4
};

#define KSA_STEP(idx, k)             \
  do {                               \
    uint32_t si_ = s[(idx)];         \
    j = (j + si_ + (k)) & 0xff;      \
    s[(idx)] = s[j];                 \
    s[j] = si_;                      \
  } while (0)

/* Like the keystream loop below: S[i+1] is loaded before step i's stores and fixed up when
 * step i's j was i+1, which keeps the load off the store-to-load critical path. */
static void ksa_masked(uint32_t *s, const uint8_t *key, unsigned mask) {
  uint32_t j = 0, si = s[0];
  for (unsigned i = 0; i < 256; i++) {
    uint32_t inext = (i + 1) & 0xff;
    j = ((j + key[i & mask]) + si) & 0xff; /* the key octet is known early: add it first */
    uint32_t sj = s[j];
    uint32_t snext = s[inext];
    s[i] = sj;
    s[j] = si;
    /* a branch, not a select: it is predictable (taken 1 time in 256) and keeps the compare
     * off the j -> S[i] -> j dependency chain */
    if (__builtin_expect(j == inext, 0)) {
      snext = si;
      __asm__ volatile("" ::: "memory"); /* keeps GCC from turning the branch into a cmov */
    }
    si = snext;
  }
}

void pptp_rc4_init(pptp_rc4 *st, const uint8_t *key, size_t keylen) {
  uint32_t *s = st->s;
  memcpy(s, kIdentity, sizeof kIdentity);
  st->i = 0;
  st->j = 0;
  if (keylen == 16) {
    ksa_masked(s, key, 15);
  } else if (keylen == 8) {
    ksa_masked(s, key, 7);
  } else {
    uint32_t j = 0;
    size_t k = 0;
    for (unsigned i = 0; i < 256; i++) {
      KSA_STEP(i, key[k]);
      if (++k == keylen) k = 0;
    }
  }
}

/* One keystream byte. `si` already holds S[i]; the next S[i+1] is loaded before this step's
 * stores, and corrected when this step's j hit i+1 (then S[i+1] is the value just written). */
#define PRGA_BYTE(shift)                                     \
  do {                                                       \
    uint32_t inext_ = (i + 1) & 0xff;                        \
    j = (j + si) & 0xff;                                     \
    uint32_t sj_ = s[j];                                     \
    uint32_t snext_ = s[inext_];                             \
    s[i] = sj_;                                              \
    s[j] = si;                                               \
    ks |= (uint64_t)s[(si + sj_) & 0xff] << (shift);         \
    if (__builtin_expect(j == inext_, 0)) {                  \
      snext_ = si;                                           \
      __asm__ volatile("" ::: "memory");                     \
    }                                                        \
    si = snext_;                                             \
    i = inext_;                                              \
  } while (0)

void pptp_rc4_crypt(pptp_rc4 *st, const uint8_t *in, uint8_t *out, size_t len) {
  uint32_t *s = st->s;
  uint32_t i = (st->i + 1) & 0xff, j = st->j;
  uint32_t si = s[i];
  while (len >= 8) {
    uint64_t ks = 0, word;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    PRGA_BYTE(56); PRGA_BYTE(48); PRGA_BYTE(40); PRGA_BYTE(32);
    PRGA_BYTE(24); PRGA_BYTE(16); PRGA_BYTE(8); PRGA_BYTE(0);
#else
    PRGA_BYTE(0); PRGA_BYTE(8); PRGA_BYTE(16); PRGA_BYTE(24);
    PRGA_BYTE(32); PRGA_BYTE(40); PRGA_BYTE(48); PRGA_BYTE(56);
#endif
    memcpy(&word, in, 8);
    word ^= ks;
    memcpy(out, &word, 8);
    in += 8;
    out += 8;
    len -= 8;
  }
  while (len--) {
    uint64_t ks = 0;
    PRGA_BYTE(0);
    *out++ = (uint8_t)(*in++ ^ ks);
  }
  /* i has run one ahead (it indexes the S[i] preloaded for the next byte) */
  st->i = (i - 1) & 0xff;
  st->j = j;
}

/* Multi-buffer: the steps of two streams alternate, so while one waits for its S[j] load the
 * other's runs. Each stream keeps the single-stream S[i+1] preload and its fix-up. */
static void ksa_masked_x2(uint32_t *sa, const uint8_t *ka, uint32_t *sb, const uint8_t *kb,
                          unsigned mask) {
  uint32_t ja = 0, jb = 0, sia = sa[0], sib = sb[0];
  for (unsigned i = 0; i < 256; i++) {
    uint32_t inext = (i + 1) & 0xff;
    ja = ((ja + ka[i & mask]) + sia) & 0xff;
    jb = ((jb + kb[i & mask]) + sib) & 0xff;
    uint32_t sja = sa[ja], sjb = sb[jb];
    uint32_t nexta = sa[inext], nextb = sb[inext];
    sa[i] = sja;
    sa[ja] = sia;
    sb[i] = sjb;
    sb[jb] = sib;
    if (__builtin_expect(ja == inext, 0)) {
      nexta = sia;
      __asm__ volatile("" ::: "memory");
    }
    if (__builtin_expect(jb == inext, 0)) {
      nextb = sib;
      __asm__ volatile("" ::: "memory");
    }
    sia = nexta;
    sib = nextb;
  }
}

void pptp_rc4_init_x2(pptp_rc4 *a, const uint8_t *keya, pptp_rc4 *b, const uint8_t *keyb,
                      size_t keylen) {
  if (keylen != 16 && keylen != 8) {
    pptp_rc4_init(a, keya, keylen);
    pptp_rc4_init(b, keyb, keylen);
    return;
  }
  memcpy(a->s, kIdentity, sizeof kIdentity);
  memcpy(b->s, kIdentity, sizeof kIdentity);
  a->i = a->j = b->i = b->j = 0;
  ksa_masked_x2(a->s, keya, b->s, keyb, (unsigned)keylen - 1);
}

/* PRGA_BYTE for stream x (s##x, i##x, j##x, si##x, ks##x) */
#define PRGA_BYTE_X(x, shift)                                 \
  do {                                                        \
    uint32_t inext_ = (i##x + 1) & 0xff;                      \
    j##x = (j##x + si##x) & 0xff;                             \
    uint32_t sj_ = s##x[j##x];                                \
    uint32_t snext_ = s##x[inext_];                           \
    s##x[i##x] = sj_;                                         \
    s##x[j##x] = si##x;                                       \
    ks##x |= (uint64_t)s##x[(si##x + sj_) & 0xff] << (shift); \
    if (__builtin_expect(j##x == inext_, 0)) {                \
      snext_ = si##x;                                         \
      __asm__ volatile("" ::: "memory");                      \
    }                                                         \
    si##x = snext_;                                           \
    i##x = inext_;                                            \
  } while (0)

#define PRGA_PAIR(shift) \
  do {                   \
    PRGA_BYTE_X(a, shift); \
    PRGA_BYTE_X(b, shift); \
  } while (0)

void pptp_rc4_crypt_x2(pptp_rc4 *a, const uint8_t *ina, uint8_t *outa, size_t lena, pptp_rc4 *b,
                       const uint8_t *inb, uint8_t *outb, size_t lenb) {
  size_t both = (lena < lenb ? lena : lenb) & ~(size_t)7;
  uint32_t *sa = a->s, *sb = b->s;
  uint32_t ia = (a->i + 1) & 0xff, ja = a->j, sia = sa[ia];
  uint32_t ib = (b->i + 1) & 0xff, jb = b->j, sib = sb[ib];
  for (size_t n = 0; n < both; n += 8) {
    uint64_t ksa = 0, ksb = 0, wa, wb;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    PRGA_PAIR(56); PRGA_PAIR(48); PRGA_PAIR(40); PRGA_PAIR(32);
    PRGA_PAIR(24); PRGA_PAIR(16); PRGA_PAIR(8); PRGA_PAIR(0);
#else
    PRGA_PAIR(0); PRGA_PAIR(8); PRGA_PAIR(16); PRGA_PAIR(24);
    PRGA_PAIR(32); PRGA_PAIR(40); PRGA_PAIR(48); PRGA_PAIR(56);
#endif
    memcpy(&wa, ina + n, 8);
    memcpy(&wb, inb + n, 8);
    wa ^= ksa;
    wb ^= ksb;
    memcpy(outa + n, &wa, 8);
    memcpy(outb + n, &wb, 8);
  }
  a->i = (ia - 1) & 0xff;
  a->j = ja;
  b->i = (ib - 1) & 0xff;
  b->j = jb;
  /* the tails (and the longer packet's rest) one stream at a time */
  pptp_rc4_crypt(a, ina + both, outa + both, lena - both);
  pptp_rc4_crypt(b, inb + both, outb + both, lenb - both);
}
