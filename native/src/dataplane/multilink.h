// Multilink PPP fragments (RFC 1990 section 3) over one link: the same fragmenter and reassembler
// as src/wire/multilink.ts, which test/dataplane/multilink-differential.test.ts compares this
// with. Pure: no I/O, time is a parameter.
#ifndef PPTP_DATAPLANE_MULTILINK_H
#define PPTP_DATAPLANE_MULTILINK_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PPTP_MP_BEGIN 0x80u
#define PPTP_MP_END 0x40u
/* The largest packet the reassembler takes: an MRRU of 65535 plus the Protocol field. */
#define PPTP_MP_MAX_PACKET (65535u + 2u)

enum pptp_mp_drop {
  PPTP_MP_DROP_LOST_FRAGMENT = 0,
  PPTP_MP_DROP_TOO_LONG = 1,
  PPTP_MP_DROP_TIMEOUT = 2,
  PPTP_MP_DROP_MALFORMED = 3,
  PPTP_MP_DROP_REASONS = 4
};

struct pptp_mp_fragmenter {
  int short_sequence;
  uint32_t sequence;
};

struct pptp_mp_reassembler {
  int short_sequence;
  size_t max_packet;    /* our MRRU + 2, at most PPTP_MP_MAX_PACKET */
  unsigned max_fragments;
  uint64_t timeout_ms;
  uint8_t *buffer;      /* max_packet octets, owned by the caller */
  size_t octets;
  unsigned fragments;
  int has_expected;
  uint32_t expected;
  uint64_t started_at;
  int skipping;
  uint64_t drops[PPTP_MP_DROP_REASONS];
};

size_t pptp_mp_header_length(int short_sequence);

/* Number of fragments `packet_len` octets take at `mtu`; 0 when the MTU leaves no room. */
unsigned pptp_mp_fragment_count(const struct pptp_mp_fragmenter *f, size_t packet_len, size_t mtu);

/* Writes fragment `index` of `count` (header + payload) to `out` and returns its length; the
 * sequence number advances with each call. `out` needs room for header + the fragment size. */
size_t pptp_mp_fragment(struct pptp_mp_fragmenter *f, const uint8_t *packet, size_t packet_len,
                        unsigned index, unsigned count, uint8_t *out);

void pptp_mp_reassembler_init(struct pptp_mp_reassembler *r, int short_sequence, uint8_t *buffer,
                              size_t max_packet, unsigned max_fragments, uint64_t timeout_ms);

/* Takes one 0x003d Information field. Returns the length of a completed packet (now in
 * r->buffer, valid until the next call), else 0. Drops are counted in r->drops. */
size_t pptp_mp_receive(struct pptp_mp_reassembler *r, const uint8_t *info, size_t len, uint64_t now_ms);

/* Gives up a packet that has waited timeout_ms; returns 1 when one was dropped. */
int pptp_mp_expire(struct pptp_mp_reassembler *r, uint64_t now_ms);

#ifdef __cplusplus
}
#endif
#endif
