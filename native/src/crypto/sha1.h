// SHA-1 (FIPS 180-4) with the compression function chosen once at load from what the CPU
// can run: portable C, NEON message schedule (arm64), x86 SHA-NI, ARMv8 crypto extension.
// MPPE needs SHA-1 for every re-key (RFC 3079 section 3.3 GetNewKeyFromSHA).
#ifndef PPTP_CRYPTO_SHA1_H
#define PPTP_CRYPTO_SHA1_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Compresses nblocks 64-byte blocks into state[5]. */
typedef void (*pptp_sha1_blocks_fn)(uint32_t state[5], const uint8_t *data, size_t nblocks);

typedef struct pptp_sha1_impl {
  const char *name;          /* "generic", "neon", "shani", "armv8ce" */
  pptp_sha1_blocks_fn blocks;
  int (*available)(void);    /* nonzero when this CPU can run it */
} pptp_sha1_impl;

void pptp_sha1_blocks_generic(uint32_t state[5], const uint8_t *data, size_t nblocks);
/* NULL where the file is not compiled for this architecture */
extern const pptp_sha1_impl pptp_sha1_impl_shani;
extern const pptp_sha1_impl pptp_sha1_impl_armv8ce;
extern const pptp_sha1_impl pptp_sha1_impl_neon;

/* The active compression function (set at load, changed only by pptp_sha1_force). */
extern pptp_sha1_blocks_fn pptp_sha1_blocks;

/* All implementations compiled in, available or not; returns the count. */
size_t pptp_sha1_impls(const pptp_sha1_impl *const **list);
const char *pptp_sha1_active_name(void);
/* 0 on success, -1 unknown name, -2 not runnable on this CPU */
int pptp_sha1_force(const char *name);
/* CPU feature names the dispatcher looked at, space separated (e.g. "sha_ni sse4.1 ssse3") */
const char *pptp_cpu_features(void);

typedef struct pptp_sha1_ctx {
  uint32_t h[5];
  uint64_t total;
  uint8_t buf[64];
  size_t used;
} pptp_sha1_ctx;

void pptp_sha1_init(pptp_sha1_ctx *ctx);
void pptp_sha1_update(pptp_sha1_ctx *ctx, const uint8_t *data, size_t len);
void pptp_sha1_final(pptp_sha1_ctx *ctx, uint8_t out[20]);
void pptp_sha1(const uint8_t *data, size_t len, uint8_t out[20]);

#ifdef __cplusplus
}
#endif
#endif
