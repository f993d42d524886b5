// SHA-1 compression with the x86 SHA extensions (SHA-NI). Compiled for every x86-64 build
// through a target attribute, so no per-file compiler flags are needed; only called when
// cpuid reports SHA (see sha1_dispatch.c).
#include "sha1.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define SHANI __attribute__((target("sha,sse4.1,ssse3")))

/* One group of four rounds; w[g & 3] holds W for rounds 4g..4g+3 once scheduled. */
#define SCHEDULE(g)                                                                        \
  w[(g) & 3] = _mm_sha1msg2_epu32(                                                         \
      _mm_xor_si128(_mm_sha1msg1_epu32(w[(g) & 3], w[((g) + 1) & 3]), w[((g) + 2) & 3]),   \
      w[((g) + 3) & 3])
#define GROUP(g, f)                                 \
  do {                                              \
    if ((g) >= 4) SCHEDULE(g);                      \
    e = _mm_sha1nexte_epu32(prev, w[(g) & 3]);      \
    prev = abcd;                                    \
    abcd = _mm_sha1rnds4_epu32(abcd, e, f);         \
  } while (0)

SHANI static void sha1_blocks_shani(uint32_t state[5], const uint8_t *data, size_t nblocks) {
  const __m128i bswap = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
  __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)state), 0x1B);
  __m128i e0 = _mm_set_epi32((int)state[4], 0, 0, 0);
  while (nblocks--) {
    __m128i abcd_save = abcd, e_save = e0, w[4], e, prev;
    for (int i = 0; i < 4; i++)
      w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), bswap);
    e = _mm_add_epi32(e0, w[0]);
    prev = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e, 0);
    GROUP(1, 0); GROUP(2, 0); GROUP(3, 0); GROUP(4, 0);
    GROUP(5, 1); GROUP(6, 1); GROUP(7, 1); GROUP(8, 1); GROUP(9, 1);
    GROUP(10, 2); GROUP(11, 2); GROUP(12, 2); GROUP(13, 2); GROUP(14, 2);
    GROUP(15, 3); GROUP(16, 3); GROUP(17, 3); GROUP(18, 3); GROUP(19, 3);
    /* E after round 79 is rol30(A after round 75); sha1nexte adds it to the saved E */
    e0 = _mm_sha1nexte_epu32(prev, e_save);
    abcd = _mm_add_epi32(abcd, abcd_save);
    data += 64;
  }
  _mm_storeu_si128((__m128i *)state, _mm_shuffle_epi32(abcd, 0x1B));
  state[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

#include <cpuid.h>
static int shani_available(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  int sse41 = (c >> 19) & 1, ssse3 = (c >> 9) & 1;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  return sse41 && ssse3 && ((b >> 29) & 1);
}

const pptp_sha1_impl pptp_sha1_impl_shani = {"shani", sha1_blocks_shani, shani_available};
#else
static int never(void) { return 0; }
const pptp_sha1_impl pptp_sha1_impl_shani = {"shani", 0, never};
#endif
