// SHA-1 compression with the ARMv8 crypto extension (SHA1C/SHA1P/SHA1M/SHA1H/SHA1SU0/SHA1SU1).
// Built for every arm64 target through a target attribute; only called when getauxval(AT_HWCAP)
// reports HWCAP_SHA1. The Raspberry Pi 4 lacks it; QEMU's models all have it.
#include "sha1.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <sys/auxv.h>
#include <asm/hwcap.h>

#define CE __attribute__((target("+crypto")))

#define SCHED(g) w[(g) & 3] = vsha1su1q_u32(vsha1su0q_u32(w[(g) & 3], w[((g) + 1) & 3], w[((g) + 2) & 3]), w[((g) + 3) & 3])
#define GROUP(g, op, k)                                           \
  do {                                                            \
    if ((g) >= 4) SCHED(g);                                       \
    uint32_t enext = vsha1h_u32(vgetq_lane_u32(abcd, 0));         \
    abcd = op(abcd, e, vaddq_u32(w[(g) & 3], vdupq_n_u32(k)));    \
    e = enext;                                                    \
  } while (0)

CE static void sha1_blocks_armv8ce(uint32_t state[5], const uint8_t *data, size_t nblocks) {
  uint32x4_t abcd = vld1q_u32(state);
  uint32_t e = state[4];
  while (nblocks--) {
    uint32x4_t abcd_save = abcd, w[4];
    uint32_t e_save = e;
    for (int i = 0; i < 4; i++) w[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(data + 16 * i)));
    GROUP(0, vsha1cq_u32, 0x5A827999u); GROUP(1, vsha1cq_u32, 0x5A827999u);
    GROUP(2, vsha1cq_u32, 0x5A827999u); GROUP(3, vsha1cq_u32, 0x5A827999u);
    GROUP(4, vsha1cq_u32, 0x5A827999u);
    GROUP(5, vsha1pq_u32, 0x6ED9EBA1u); GROUP(6, vsha1pq_u32, 0x6ED9EBA1u);
    GROUP(7, vsha1pq_u32, 0x6ED9EBA1u); GROUP(8, vsha1pq_u32, 0x6ED9EBA1u);
    GROUP(9, vsha1pq_u32, 0x6ED9EBA1u);
    GROUP(10, vsha1mq_u32, 0x8F1BBCDCu); GROUP(11, vsha1mq_u32, 0x8F1BBCDCu);
    GROUP(12, vsha1mq_u32, 0x8F1BBCDCu); GROUP(13, vsha1mq_u32, 0x8F1BBCDCu);
    GROUP(14, vsha1mq_u32, 0x8F1BBCDCu);
    GROUP(15, vsha1pq_u32, 0xCA62C1D6u); GROUP(16, vsha1pq_u32, 0xCA62C1D6u);
    GROUP(17, vsha1pq_u32, 0xCA62C1D6u); GROUP(18, vsha1pq_u32, 0xCA62C1D6u);
    GROUP(19, vsha1pq_u32, 0xCA62C1D6u);
    abcd = vaddq_u32(abcd, abcd_save);
    e += e_save;
    data += 64;
  }
  vst1q_u32(state, abcd);
  state[4] = e;
}

static int armv8ce_available(void) { return (getauxval(AT_HWCAP) & HWCAP_SHA1) != 0; }

const pptp_sha1_impl pptp_sha1_impl_armv8ce = {"armv8ce", sha1_blocks_armv8ce, armv8ce_available};
#else
static int never(void) { return 0; }
const pptp_sha1_impl pptp_sha1_impl_armv8ce = {"armv8ce", 0, never};
#endif
