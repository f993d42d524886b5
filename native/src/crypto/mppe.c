// MPPE per RFC 3078 with the key schedule of RFC 3079. The expensive part of stateless mode is
// the per-packet key change: one SHA-1 over StartKey|Pad1|SessionKey|Pad2 and two RC4 key
// schedules. The SHA-1 message is kept pre-padded (only the session key octets are rewritten,
// then two blocks go straight to the compression function) and the key schedules use the
// fixed-length fast path of rc4.c.
#include "mppe.h"

#include <string.h>

#include "sha1.h"

/* RFC 3079 section 3.3 SHApad1 (40 x 0x00) and SHApad2 (40 x 0xF2) */
#define PAD_LEN 40

static void reduce(pptp_mppe_keys *k, uint8_t *key) {
  /* RFC 3079 sections 3.3 and 3.4 (40-bit: D1 26 9E; 56-bit: D1) */
  if (k->bits == 40) {
    key[0] = 0xD1;
    key[1] = 0x26;
    key[2] = 0x9E;
  } else if (k->bits == 56) {
    key[0] = 0xD1;
  }
}

static void get_new_key_from_sha(pptp_mppe_keys *k, uint8_t interim[16]) {
  static const uint32_t iv[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  uint32_t h[5];
  memcpy(h, iv, sizeof h);
  memcpy(k->sha_msg + k->sha_session_off, k->session_key, k->keylen);
  pptp_sha1_blocks(h, k->sha_msg, 2);
  for (unsigned i = 0; i < 4 && i < k->keylen / 4; i++) {
    interim[4 * i] = (uint8_t)(h[i] >> 24);
    interim[4 * i + 1] = (uint8_t)(h[i] >> 16);
    interim[4 * i + 2] = (uint8_t)(h[i] >> 8);
    interim[4 * i + 3] = (uint8_t)h[i];
  }
}

int pptp_mppe_keys_init(pptp_mppe_keys *k, const uint8_t *start_key, size_t len, unsigned bits) {
  unsigned keylen = bits == 128 ? 16 : 8;
  if ((bits != 40 && bits != 56 && bits != 128) || len != keylen) return -1;
  memset(k, 0, sizeof *k);
  k->keylen = keylen;
  k->bits = bits;
  memcpy(k->start_key, start_key, keylen);
  /* message: StartKey | Pad1 | SessionKey | Pad2 | 0x80 | zeros | 64-bit bit length */
  uint8_t *m = k->sha_msg;
  size_t n = 0;
  memcpy(m, start_key, keylen);
  n += keylen;
  memset(m + n, 0x00, PAD_LEN);
  n += PAD_LEN;
  k->sha_session_off = (unsigned)n;
  n += keylen;
  memset(m + n, 0xF2, PAD_LEN);
  n += PAD_LEN;
  uint64_t bitlen = (uint64_t)n * 8;
  m[n] = 0x80;
  for (int i = 0; i < 8; i++) m[120 + i] = (uint8_t)(bitlen >> (56 - 8 * i));
  /* RFC 3079 section 3.5 (and 2.4): the initial session key is GetNewKeyFromSHA(StartKey,
   * StartKey) with no RC4 step; its first SendSessionKey128 is this value, reduced. */
  memcpy(k->session_key, start_key, keylen);
  uint8_t interim[16];
  get_new_key_from_sha(k, interim);
  memcpy(k->session_key, interim, keylen);
  reduce(k, k->session_key);
  return 0;
}

void pptp_mppe_rekey(pptp_mppe_keys *k) {
  uint8_t interim[16];
  pptp_rc4 rc4;
  get_new_key_from_sha(k, interim);
  /* RFC 3078 section 7.3: the interim key encrypted with itself is the new session key */
  pptp_rc4_init(&rc4, interim, k->keylen);
  pptp_rc4_crypt(&rc4, interim, k->session_key, k->keylen);
  reduce(k, k->session_key);
}

int pptp_mppe_enc_init(pptp_mppe_enc *e, const uint8_t *start_key, size_t len, unsigned bits,
                       int stateless) {
  if (pptp_mppe_keys_init(&e->k, start_key, len, bits)) return -1;
  e->stateless = stateless;
  e->ccount = PPTP_MPPE_CCOUNT_MASK; /* the first packet carries count 0 */
  e->flush_next = 0;
  pptp_rc4_init(&e->rc4, e->k.session_key, e->k.keylen);
  return 0;
}

void pptp_mppe_enc_reset(pptp_mppe_enc *e) { e->flush_next = 1; }

size_t pptp_mppe_encrypt(pptp_mppe_enc *e, const uint8_t *plain, size_t len, uint8_t *out) {
  uint16_t cc = (uint16_t)((e->ccount + 1) & PPTP_MPPE_CCOUNT_MASK);
  e->ccount = cc;
  uint8_t flags = PPTP_MPPE_BIT_D;
  /* RFC 3078 section 7.3 (stateless: every packet) and 7.2 (stateful: the "flag" packet whose
   * count ends in 0xFF, and the packet after a CCP Reset-Request) change the key and are sent
   * with the A bit, telling the peer to re-key and reset its tables the same way. */
  if (e->stateless || (cc & 0xff) == 0xff || e->flush_next) {
    pptp_mppe_rekey(&e->k);
    pptp_rc4_init(&e->rc4, e->k.session_key, e->k.keylen);
    flags |= PPTP_MPPE_BIT_A;
    e->flush_next = 0;
  }
  out[0] = (uint8_t)(flags | (cc >> 8));
  out[1] = (uint8_t)cc;
  pptp_rc4_crypt(&e->rc4, plain, out + PPTP_MPPE_HEADER, len);
  return len + PPTP_MPPE_HEADER;
}

void pptp_mppe_encrypt_x2(pptp_mppe_enc *e, const uint8_t *plain_a, size_t len_a, uint8_t *out_a,
                          const uint8_t *plain_b, size_t len_b, uint8_t *out_b) {
  if (!e->stateless) {
    pptp_mppe_encrypt(e, plain_a, len_a, out_a);
    pptp_mppe_encrypt(e, plain_b, len_b, out_b);
    return;
  }
  /* the key chain is sequential; only what each packet does with its own key can overlap */
  uint8_t key_a[16];
  pptp_rc4 rc4_a;
  uint16_t cc_a = (uint16_t)((e->ccount + 1) & PPTP_MPPE_CCOUNT_MASK);
  pptp_mppe_rekey(&e->k);
  memcpy(key_a, e->k.session_key, e->k.keylen);
  uint16_t cc_b = (uint16_t)((cc_a + 1) & PPTP_MPPE_CCOUNT_MASK);
  pptp_mppe_rekey(&e->k);
  e->ccount = cc_b;
  e->flush_next = 0;
  out_a[0] = (uint8_t)(PPTP_MPPE_BIT_A | PPTP_MPPE_BIT_D | (cc_a >> 8));
  out_a[1] = (uint8_t)cc_a;
  out_b[0] = (uint8_t)(PPTP_MPPE_BIT_A | PPTP_MPPE_BIT_D | (cc_b >> 8));
  out_b[1] = (uint8_t)cc_b;
  /* e->rc4 ends as the single path leaves it: keyed with b's session key, b's bytes consumed */
  pptp_rc4_init_x2(&rc4_a, key_a, &e->rc4, e->k.session_key, e->k.keylen);
  pptp_rc4_crypt_x2(&rc4_a, plain_a, out_a + PPTP_MPPE_HEADER, len_a, &e->rc4, plain_b,
                    out_b + PPTP_MPPE_HEADER, len_b);
}

int pptp_mppe_dec_init(pptp_mppe_dec *d, const uint8_t *start_key, size_t len, unsigned bits,
                       int stateless) {
  if (pptp_mppe_keys_init(&d->k, start_key, len, bits)) return -1;
  memset(d->history, 0, sizeof d->history);
  d->stateless = stateless;
  d->ccount = PPTP_MPPE_CCOUNT_MASK;
  d->discard = 0;
  d->resync_ccount = 0;
  d->resync_run = 0;
  pptp_rc4_init(&d->rc4, d->k.session_key, d->k.keylen);
  return 0;
}

static void remember(pptp_mppe_dec *d) {
  unsigned slot = d->ccount % PPTP_MPPE_HISTORY;
  d->history[slot].ccount = d->ccount;
  d->history[slot].valid = 1;
  memcpy(d->history[slot].key, d->k.session_key, d->k.keylen);
}

/* Spoofed GRE (issue 15) reaches us with random counts and flags. A count more than MAX_AHEAD
 * past ours would cost up to 2048 key changes and leave us out of step with the real sender, so
 * alone it is refused (before any crypto); only RESYNC_RUN such packets in a row, each at most
 * RESYNC_STEP past the one before (a genuine stream after a long loss), move us to it, at most
 * once per run. src/crypto/mppe-reference.ts makes the same decisions. */
#define MAX_AHEAD 256
#define RESYNC_STEP 16
#define RESYNC_RUN 3

static int believed_jump(pptp_mppe_dec *d, unsigned cc) {
  unsigned step = (cc - d->resync_ccount) & PPTP_MPPE_CCOUNT_MASK;
  d->resync_run = (uint8_t)(d->resync_run > 0 && step > 0 && step <= RESYNC_STEP ? d->resync_run + 1 : 1);
  d->resync_ccount = (uint16_t)cc;
  if (d->resync_run < RESYNC_RUN) return 0;
  d->resync_run = 0;
  return 1;
}

static int decrypt_stateless(pptp_mppe_dec *d, unsigned cc, int flushed, const uint8_t *in,
                             size_t n, uint8_t *out) {
  /* RFC 3078 section 3: with stateless mode negotiated every packet is flushed (A bit set) */
  if (!flushed) return PPTP_MPPE_STALE;
  unsigned ahead = (cc - d->ccount) & PPTP_MPPE_CCOUNT_MASK;
  unsigned slot = cc % PPTP_MPPE_HISTORY;
  int remembered = d->history[slot].valid && d->history[slot].ccount == cc;
  int near = ahead != 0 && ahead <= MAX_AHEAD;
  if (!near && !remembered && ahead != 0) {
    if (!believed_jump(d, cc)) return PPTP_MPPE_STALE;
    near = 1;
  }
  if (near) {
    d->resync_run = 0;
    /* RFC 3078 section 8.1: one key change per count advanced, lost packets included */
    while (d->ccount != cc) {
      pptp_mppe_rekey(&d->k);
      d->ccount = (uint16_t)((d->ccount + 1) & PPTP_MPPE_CCOUNT_MASK);
      if (((cc - d->ccount) & PPTP_MPPE_CCOUNT_MASK) < PPTP_MPPE_HISTORY) remember(d);
    }
    pptp_rc4_init(&d->rc4, d->k.session_key, d->k.keylen);
    pptp_rc4_crypt(&d->rc4, in, out, n);
    return PPTP_MPPE_OK;
  }
  /* behind (or the same count again): a late packet, decryptable while its key is remembered */
  if (!remembered) return PPTP_MPPE_STALE;
  pptp_rc4 rc4;
  pptp_rc4_init(&rc4, d->history[slot].key, d->k.keylen);
  pptp_rc4_crypt(&rc4, in, out, n);
  return PPTP_MPPE_OK;
}

static int decrypt_stateful(pptp_mppe_dec *d, unsigned cc, int flushed, const uint8_t *in,
                            size_t n, uint8_t *out) {
  unsigned expected = (d->ccount + 1) & PPTP_MPPE_CCOUNT_MASK;
  if (cc != expected || d->discard) {
    /* RFC 3078 section 8.2: a gap loses the RC4 state; drop (the caller sends a CCP
     * Reset-Request) until a flushed packet, which carries everything needed to resync. */
    if (!flushed) {
      d->discard = 1;
      return PPTP_MPPE_NEEDS_RESET;
    }
    /* the sender changed keys at every "flag" packet (count xxFF) we missed, [expected, cc) */
    unsigned gap = (cc - expected) & PPTP_MPPE_CCOUNT_MASK;
    unsigned missed_flags = ((expected & 0xff) + gap) >> 8;
    while (missed_flags--) pptp_mppe_rekey(&d->k);
    d->discard = 0;
  }
  d->ccount = (uint16_t)cc;
  if (flushed) {
    pptp_mppe_rekey(&d->k);
    pptp_rc4_init(&d->rc4, d->k.session_key, d->k.keylen);
  }
  pptp_rc4_crypt(&d->rc4, in, out, n);
  return PPTP_MPPE_OK;
}

int pptp_mppe_decrypt(pptp_mppe_dec *d, const uint8_t *packet, size_t len, uint8_t *out,
                      size_t *outlen, unsigned *ccount) {
  if (len < PPTP_MPPE_HEADER + 1) return PPTP_MPPE_TOO_SHORT;
  unsigned cc = ((unsigned)(packet[0] & 0x0f) << 8) | packet[1];
  *ccount = cc;
  if (!(packet[0] & PPTP_MPPE_BIT_D)) return PPTP_MPPE_NOT_ENCRYPTED;
  size_t n = len - PPTP_MPPE_HEADER;
  *outlen = n;
  if (d->stateless)
    return decrypt_stateless(d, cc, (packet[0] & PPTP_MPPE_BIT_A) != 0, packet + PPTP_MPPE_HEADER, n, out);
  return decrypt_stateful(d, cc, (packet[0] & PPTP_MPPE_BIT_A) != 0, packet + PPTP_MPPE_HEADER, n,
                          out);
}
