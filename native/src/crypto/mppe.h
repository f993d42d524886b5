// MPPE (RFC 3078) per-packet encryption with keys per RFC 3079: initial session key from the
// start key, re-keying (stateless: every packet; stateful: every 256 packets and on flush),
// 40/56-bit key reduction, the 12-bit coherency count and the A (flushed) / D (encrypted) bits.
#ifndef PPTP_CRYPTO_MPPE_H
#define PPTP_CRYPTO_MPPE_H
#include <stddef.h>
#include <stdint.h>

#include "rc4.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PPTP_MPPE_HEADER 2
#define PPTP_MPPE_BIT_A 0x80 /* flushed: RC4 tables re-initialised (RFC 3078 section 3) */
#define PPTP_MPPE_BIT_B 0x40
#define PPTP_MPPE_BIT_C 0x20
#define PPTP_MPPE_BIT_D 0x10 /* encrypted */
#define PPTP_MPPE_CCOUNT_MASK 0x0fff
#define PPTP_MPPE_HISTORY 64 /* stateless: keys kept for late (reordered) packets */

typedef struct pptp_mppe_keys {
  uint8_t start_key[16];
  uint8_t session_key[16];
  unsigned keylen; /* 8 (40/56-bit) or 16 (128-bit) */
  unsigned bits;   /* 40, 56, 128 */
  /* SHA-1 input of GetNewKeyFromSHA padded to two blocks; only the session key part changes */
  uint8_t sha_msg[128];
  unsigned sha_session_off;
} pptp_mppe_keys;

typedef struct pptp_mppe_enc {
  pptp_mppe_keys k;
  pptp_rc4 rc4;
  int stateless;
  uint16_t ccount; /* of the last packet sent */
  int flush_next;
} pptp_mppe_enc;

typedef struct pptp_mppe_dec {
  pptp_mppe_keys k;
  pptp_rc4 rc4;
  int stateless;
  uint16_t ccount; /* stateless: of the current session key; stateful: of the last good packet */
  int discard;     /* stateful: lost sync, waiting for a flushed packet */
  struct {
    uint16_t ccount;
    uint8_t valid;
    uint8_t key[16];
  } history[PPTP_MPPE_HISTORY];
  /* stateless: a count too far from ours is believed only as part of a run (see mppe.c) */
  uint16_t resync_ccount;
  uint8_t resync_run;
} pptp_mppe_dec;

/* bits 40/56/128; start key of 8 (40/56) or 16 (128) octets. 0 on success, -1 on bad input. */
int pptp_mppe_keys_init(pptp_mppe_keys *k, const uint8_t *start_key, size_t len, unsigned bits);
/* RFC 3078 section 7.3 / RFC 3079 section 3.3: one key change (SHA-1, RC4, reduction). */
void pptp_mppe_rekey(pptp_mppe_keys *k);

int pptp_mppe_enc_init(pptp_mppe_enc *e, const uint8_t *start_key, size_t len, unsigned bits,
                       int stateless);
/* out must hold len + 2; returns len + 2 */
size_t pptp_mppe_encrypt(pptp_mppe_enc *e, const uint8_t *plain, size_t len, uint8_t *out);
void pptp_mppe_enc_reset(pptp_mppe_enc *e);
/* Two packets in a row, the same bytes as two pptp_mppe_encrypt calls. Stateless: both keys
 * are derived first, then the two key schedules and key streams run interleaved (rc4.c x2). */
void pptp_mppe_encrypt_x2(pptp_mppe_enc *e, const uint8_t *plain_a, size_t len_a, uint8_t *out_a,
                          const uint8_t *plain_b, size_t len_b, uint8_t *out_b);

enum pptp_mppe_result {
  PPTP_MPPE_OK = 0,
  PPTP_MPPE_TOO_SHORT = -1,
  PPTP_MPPE_NOT_ENCRYPTED = -2,
  PPTP_MPPE_NEEDS_RESET = -3,
  PPTP_MPPE_STALE = -4,
};

int pptp_mppe_dec_init(pptp_mppe_dec *d, const uint8_t *start_key, size_t len, unsigned bits,
                       int stateless);
/* out must hold len - 2; on success *outlen = len - 2. *ccount gets the packet's count. */
int pptp_mppe_decrypt(pptp_mppe_dec *d, const uint8_t *packet, size_t len, uint8_t *out,
                      size_t *outlen, unsigned *ccount);

#ifdef __cplusplus
}
#endif
#endif
