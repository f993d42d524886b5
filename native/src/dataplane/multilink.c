// See multilink.h. Kept step for step in line with src/wire/multilink.ts.
#include "multilink.h"

#include <string.h>

size_t pptp_mp_header_length(int short_sequence) { return short_sequence ? 2 : 4; }

static uint32_t modulus(int short_sequence) { return short_sequence ? 0x1000u : 0x1000000u; }

unsigned pptp_mp_fragment_count(const struct pptp_mp_fragmenter *f, size_t packet_len, size_t mtu) {
  size_t h = pptp_mp_header_length(f->short_sequence);
  if (mtu <= h) return 0;
  size_t room = mtu - h;
  size_t count = (packet_len + room - 1) / room;
  return count == 0 ? 1u : (unsigned)count;
}

size_t pptp_mp_fragment(struct pptp_mp_fragmenter *f, const uint8_t *packet, size_t packet_len,
                        unsigned index, unsigned count, uint8_t *out) {
  size_t size = (packet_len + count - 1) / count;
  size_t at = (size_t)index * size;
  size_t end = at + size < packet_len ? at + size : packet_len;
  size_t len = end > at ? end - at : 0;
  unsigned flags = (index == 0 ? PPTP_MP_BEGIN : 0u) | (index == count - 1 ? PPTP_MP_END : 0u);
  size_t h = pptp_mp_header_length(f->short_sequence);
  if (f->short_sequence) {
    out[0] = (uint8_t)(flags | ((f->sequence >> 8) & 0x0fu));
    out[1] = (uint8_t)(f->sequence & 0xffu);
  } else {
    out[0] = (uint8_t)flags;
    out[1] = (uint8_t)(f->sequence >> 16);
    out[2] = (uint8_t)(f->sequence >> 8);
    out[3] = (uint8_t)f->sequence;
  }
  if (len > 0) memcpy(out + h, packet + at, len);
  f->sequence = (f->sequence + 1) % modulus(f->short_sequence);
  return h + len;
}

void pptp_mp_reassembler_init(struct pptp_mp_reassembler *r, int short_sequence, uint8_t *buffer,
                              size_t max_packet, unsigned max_fragments, uint64_t timeout_ms) {
  memset(r, 0, sizeof *r);
  r->short_sequence = short_sequence;
  r->buffer = buffer;
  r->max_packet = max_packet > PPTP_MP_MAX_PACKET ? PPTP_MP_MAX_PACKET : max_packet;
  r->max_fragments = max_fragments;
  r->timeout_ms = timeout_ms;
}

static void reset(struct pptp_mp_reassembler *r) {
  r->octets = 0;
  r->fragments = 0;
  r->skipping = 0;
}

static void expire_into(struct pptp_mp_reassembler *r, uint64_t now) {
  if (r->fragments > 0 && now - r->started_at >= r->timeout_ms) {
    r->drops[PPTP_MP_DROP_TIMEOUT]++;
    reset(r);
    r->skipping = 1;
  }
}

int pptp_mp_expire(struct pptp_mp_reassembler *r, uint64_t now_ms) {
  uint64_t before = r->drops[PPTP_MP_DROP_TIMEOUT];
  expire_into(r, now_ms);
  return r->drops[PPTP_MP_DROP_TIMEOUT] != before;
}

size_t pptp_mp_receive(struct pptp_mp_reassembler *r, const uint8_t *info, size_t len, uint64_t now_ms) {
  size_t h = pptp_mp_header_length(r->short_sequence);
  if (len <= h) {
    r->drops[PPTP_MP_DROP_MALFORMED]++;
    return 0;
  }
  unsigned flags = info[0];
  unsigned reserved = r->short_sequence ? (flags & 0x30u) : (flags & 0x3fu);
  if (reserved != 0) {
    r->drops[PPTP_MP_DROP_MALFORMED]++;
    return 0;
  }
  uint32_t sequence = r->short_sequence ? (((flags & 0x0fu) << 8) | info[1])
                                        : (((uint32_t)info[1] << 16) | ((uint32_t)info[2] << 8) | info[3]);
  int begin = (flags & PPTP_MP_BEGIN) != 0;
  int end = (flags & PPTP_MP_END) != 0;
  const uint8_t *payload = info + h;
  size_t payload_len = len - h;

  expire_into(r, now_ms);
  if (r->has_expected && sequence != r->expected && (r->fragments > 0 || r->skipping)) {
    if (r->fragments > 0) r->drops[PPTP_MP_DROP_LOST_FRAGMENT]++;
    reset(r);
    r->skipping = !begin;
  }
  r->has_expected = 1;
  r->expected = (sequence + 1) % modulus(r->short_sequence);
  if (begin) {
    if (r->fragments > 0) r->drops[PPTP_MP_DROP_LOST_FRAGMENT]++;
    reset(r);
    r->started_at = now_ms;
  } else if (r->fragments == 0) {
    if (!r->skipping) r->drops[PPTP_MP_DROP_LOST_FRAGMENT]++;
    r->skipping = !end;
    return 0;
  }
  if (r->octets + payload_len > r->max_packet || r->fragments + 1 > r->max_fragments) {
    r->drops[PPTP_MP_DROP_TOO_LONG]++;
    reset(r);
    r->skipping = !end;
    return 0;
  }
  memcpy(r->buffer + r->octets, payload, payload_len);
  r->octets += payload_len;
  r->fragments++;
  if (end) {
    size_t done = r->octets;
    reset(r);
    return done;
  }
  return 0;
}
