// RC4 (the cipher MPPE uses, RFC 3078 section 2): key schedule and a stream whose state
// survives across calls, which stateful MPPE needs (one key stream spans 256 packets).
#ifndef PPTP_CRYPTO_RC4_H
#define PPTP_CRYPTO_RC4_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 32-bit cells: byte cells cost a partial-register merge on every swap (measured 2x slower). */
typedef struct pptp_rc4 {
  uint32_t s[256];
  uint32_t i, j;
} pptp_rc4;

/* key length 1..256 octets */
void pptp_rc4_init(pptp_rc4 *st, const uint8_t *key, size_t keylen);
/* out may equal in (in-place) */
void pptp_rc4_crypt(pptp_rc4 *st, const uint8_t *in, uint8_t *out, size_t len);

#ifdef __cplusplus
}
#endif
#endif
