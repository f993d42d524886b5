// change-tcp-mss: the same rewrite as src/dataplane/tcp-mss.ts (a TCP SYN's MSS option lowered
// in place, the checksum updated incrementally per RFC 1624 so the segment is never read).
#ifndef PPTP_DATAPLANE_TCP_MSS_H
#define PPTP_DATAPLANE_TCP_MSS_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Returns 1 when the packet was changed. Anything that is not an IPv4 TCP SYN with a larger
 * MSS option (fragments, malformed options) is left alone. */
int pptp_clamp_tcp_mss(uint8_t *packet, size_t len, uint16_t max_mss);

#ifdef __cplusplus
}
#endif
#endif
