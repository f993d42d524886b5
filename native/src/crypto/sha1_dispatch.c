// Chooses the SHA-1 compression function once, when the addon is loaded: the environment
// variable PPTP_SHA1_IMPL (generic|neon|shani|armv8ce) if set, else the fastest one the CPU can run.
// Tests force each implementation in turn through pptp_sha1_force.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "sha1.h"

#if defined(__aarch64__)
#include <sys/auxv.h>
#include <asm/hwcap.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static int always(void) { return 1; }
static const pptp_sha1_impl generic_impl = {"generic", pptp_sha1_blocks_generic, always};

/* fastest first */
static const pptp_sha1_impl *const all_impls[] = {&pptp_sha1_impl_shani, &pptp_sha1_impl_armv8ce,
                                                 &pptp_sha1_impl_neon, &generic_impl};
#define N_IMPLS (sizeof all_impls / sizeof all_impls[0])

pptp_sha1_blocks_fn pptp_sha1_blocks = pptp_sha1_blocks_generic;
static const char *active_name = "generic";

size_t pptp_sha1_impls(const pptp_sha1_impl *const **list) {
  *list = all_impls;
  return N_IMPLS;
}

const char *pptp_sha1_active_name(void) { return active_name; }

int pptp_sha1_force(const char *name) {
  for (size_t i = 0; i < N_IMPLS; i++) {
    if (strcmp(all_impls[i]->name, name) != 0) continue;
    if (!all_impls[i]->blocks || !all_impls[i]->available()) return -2;
    pptp_sha1_blocks = all_impls[i]->blocks;
    active_name = all_impls[i]->name;
    return 0;
  }
  return -1;
}

static char features[128];

const char *pptp_cpu_features(void) {
  if (features[0]) return features;
  char *p = features;
  size_t room = sizeof features;
#define ADD(cond, s)                                  \
  do {                                                \
    if ((cond) && room > strlen(s) + 1) {             \
      size_t n_ = strlen(s);                          \
      if (p != features) { *p++ = ' '; room--; }      \
      memcpy(p, s, n_ + 1);                           \
      p += n_;                                        \
      room -= n_;                                     \
    }                                                 \
  } while (0)
#if defined(__x86_64__) || defined(__i386__)
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    ADD((d >> 26) & 1, "sse2");
    ADD((c >> 9) & 1, "ssse3");
    ADD((c >> 19) & 1, "sse4.1");
  }
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    ADD((b >> 5) & 1, "avx2");
    ADD((b >> 29) & 1, "sha_ni");
  }
#elif defined(__aarch64__)
  unsigned long hw = getauxval(AT_HWCAP);
  ADD(hw & HWCAP_ASIMD, "asimd");
  ADD(hw & HWCAP_AES, "aes");
  ADD(hw & HWCAP_PMULL, "pmull");
  ADD(hw & HWCAP_SHA1, "sha1");
  ADD(hw & HWCAP_SHA2, "sha2");
#endif
#undef ADD
  if (!features[0]) strcpy(features, "none");
  return features;
}

__attribute__((constructor)) static void choose_at_load(void) {
  for (size_t i = 0; i < N_IMPLS; i++) {
    if (all_impls[i]->blocks && all_impls[i]->available()) {
      pptp_sha1_blocks = all_impls[i]->blocks;
      active_name = all_impls[i]->name;
      break;
    }
  }
  /* An unusable PPTP_SHA1_IMPL is reported by the binding when JavaScript loads the addon
   * (pptp_sha1_env_error), not silently ignored. */
  const char *want = getenv("PPTP_SHA1_IMPL");
  if (want && *want) pptp_sha1_force(want);
}

/* SHA-1 streaming over the active compression function (FIPS 180-4 section 5.1.1 padding). */
void pptp_sha1_init(pptp_sha1_ctx *ctx) {
  ctx->h[0] = 0x67452301u;
  ctx->h[1] = 0xEFCDAB89u;
  ctx->h[2] = 0x98BADCFEu;
  ctx->h[3] = 0x10325476u;
  ctx->h[4] = 0xC3D2E1F0u;
  ctx->total = 0;
  ctx->used = 0;
}

void pptp_sha1_update(pptp_sha1_ctx *ctx, const uint8_t *data, size_t len) {
  ctx->total += len;
  if (ctx->used) {
    size_t take = 64 - ctx->used < len ? 64 - ctx->used : len;
    memcpy(ctx->buf + ctx->used, data, take);
    ctx->used += take;
    data += take;
    len -= take;
    if (ctx->used < 64) return;
    pptp_sha1_blocks(ctx->h, ctx->buf, 1);
    ctx->used = 0;
  }
  if (len >= 64) {
    pptp_sha1_blocks(ctx->h, data, len / 64);
    data += len & ~(size_t)63;
    len &= 63;
  }
  memcpy(ctx->buf, data, len);
  ctx->used = len;
}

void pptp_sha1_final(pptp_sha1_ctx *ctx, uint8_t out[20]) {
  uint64_t bits = ctx->total * 8;
  uint8_t pad[72];
  size_t padlen = (ctx->used < 56 ? 56 : 120) - ctx->used;
  memset(pad, 0, sizeof pad);
  pad[0] = 0x80;
  for (int i = 0; i < 8; i++) pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
  uint64_t keep = ctx->total;
  pptp_sha1_update(ctx, pad, padlen + 8);
  ctx->total = keep;
  for (int i = 0; i < 5; i++) {
    out[4 * i] = (uint8_t)(ctx->h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(ctx->h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(ctx->h[i] >> 8);
    out[4 * i + 3] = (uint8_t)ctx->h[i];
  }
}

void pptp_sha1(const uint8_t *data, size_t len, uint8_t out[20]) {
  pptp_sha1_ctx ctx;
  pptp_sha1_init(&ctx);
  pptp_sha1_update(&ctx, data, len);
  pptp_sha1_final(&ctx, out);
}
