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

/* Two independent streams stepped in one loop (multi-buffer, for stateless MPPE where every
 * packet has its own key): the two dependency chains overlap. Same results as two single calls.
 * keylen as for pptp_rc4_init; lena and lenb may differ. */
void pptp_rc4_init_x2(pptp_rc4 *a, const uint8_t *keya, pptp_rc4 *b, const uint8_t *keyb,
                      size_t keylen);
void pptp_rc4_crypt_x2(pptp_rc4 *a, const uint8_t *ina, uint8_t *outa, size_t lena, pptp_rc4 *b,
                       const uint8_t *inb, uint8_t *outb, size_t lenb);

#ifdef __cplusplus
}
#endif
#endif
