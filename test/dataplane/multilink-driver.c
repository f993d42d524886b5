// Drives native/src/dataplane/multilink.c for test/dataplane/multilink-differential.test.ts:
// one command per line on stdin, one answer per line on stdout (hex payloads).
//   F <short> <mtu> <hex>                   -> the fragments, space separated
//   I <short> <max_packet> <max_frag> <timeout_ms>   (re)starts the reassembler -> "ok"
//   R <now_ms> <hex>                        -> "P <hex>" or "-", then " D <lost> <long> <timeout> <malformed>"
//   E <now_ms>                              -> "1" or "0"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../native/src/dataplane/multilink.h"

static uint8_t line[1 << 18];
static uint8_t bytes[1 << 17];
static uint8_t out[1 << 17];
static uint8_t reassembly[PPTP_MP_MAX_PACKET];

static size_t unhex(const char *s, uint8_t *to) {
  size_t n = 0;
  while (s[0] && s[1] && s[0] != '\n') {
    unsigned v;
    sscanf(s, "%2x", &v);
    to[n++] = (uint8_t)v;
    s += 2;
  }
  return n;
}

static void hex(const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

int main(void) {
  struct pptp_mp_fragmenter frag[2] = {{0, 0}, {1, 0}};
  struct pptp_mp_reassembler r;
  pptp_mp_reassembler_init(&r, 0, reassembly, 1602, 64, 1000);
  while (fgets((char *)line, sizeof line, stdin)) {
    char *p = (char *)line;
    if (p[0] == 'F') {
      int sh; size_t mtu; int used = 0;
      sscanf(p + 2, "%d %zu %n", &sh, &mtu, &used);
      size_t n = unhex(p + 2 + used, bytes);
      struct pptp_mp_fragmenter *f = &frag[sh ? 1 : 0];
      unsigned count = pptp_mp_fragment_count(f, n, mtu);
      for (unsigned i = 0; i < count; i++) {
        size_t len = pptp_mp_fragment(f, bytes, n, i, count, out);
        if (i) putchar(' ');
        hex(out, len);
      }
      putchar('\n');
    } else if (p[0] == 'I') {
      int sh; size_t maxp; unsigned maxf; unsigned long long to;
      sscanf(p + 2, "%d %zu %u %llu", &sh, &maxp, &maxf, &to);
      pptp_mp_reassembler_init(&r, sh, reassembly, maxp, maxf, to);
      puts("ok");
    } else if (p[0] == 'R') {
      unsigned long long now; int used = 0;
      sscanf(p + 2, "%llu %n", &now, &used);
      size_t n = unhex(p + 2 + used, bytes);
      size_t done = pptp_mp_receive(&r, bytes, n, now);
      if (done) { printf("P "); hex(r.buffer, done); } else printf("-");
      printf(" D %llu %llu %llu %llu\n", (unsigned long long)r.drops[0], (unsigned long long)r.drops[1],
             (unsigned long long)r.drops[2], (unsigned long long)r.drops[3]);
    } else if (p[0] == 'E') {
      unsigned long long now;
      sscanf(p + 2, "%llu", &now);
      printf("%d\n", pptp_mp_expire(&r, now));
    }
    fflush(stdout);
  }
  return 0;
}
