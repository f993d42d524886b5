#include "tcp_mss.h"

#define PROTO_TCP 6
#define TCP_SYN 0x02

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') */
static uint16_t adjust_checksum(uint16_t checksum, uint16_t from, uint16_t to) {
  uint32_t sum = (uint32_t)(uint16_t)~checksum + (uint16_t)~from + to;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

int pptp_clamp_tcp_mss(uint8_t *p, size_t len, uint16_t max_mss) {
  if (len < 20 || (p[0] >> 4) != 4 || p[9] != PROTO_TCP) return 0;
  size_t ihl = (size_t)(p[0] & 0x0f) * 4;
  /* only the first fragment carries the TCP header */
  if ((get16(p + 6) & 0x1fff) != 0) return 0;
  size_t tcp = ihl;
  if (ihl < 20 || len < tcp + 20) return 0;
  if ((p[tcp + 13] & TCP_SYN) == 0) return 0;
  size_t end = tcp + (size_t)(p[tcp + 12] >> 4) * 4;
  if (end > len) end = len;
  size_t at = tcp + 20;
  while (at < end) {
    uint8_t kind = p[at];
    if (kind == 0) return 0;
    if (kind == 1) {
      at++;
      continue;
    }
    if (at + 1 >= end) return 0;
    uint8_t olen = p[at + 1];
    if (olen < 2 || at + olen > end) return 0;
    if (kind == 2 && olen == 4) {
      uint16_t mss = get16(p + at + 2);
      if (mss <= max_mss) return 0;
      put16(p + at + 2, max_mss);
      put16(p + tcp + 16, adjust_checksum(get16(p + tcp + 16), mss, max_mss));
      return 1;
    }
    at += olen;
  }
  return 0;
}
