// The source address of GRE we send, per call. A raw socket lets the kernel pick the source by
// route, which on a port with two addresses (a DHCP lease and a static one) may not be the
// address the peer's control connection reached; the peer then drops our GRE as another peer's
// (RFC 2637 section 4: a call is its control connection's two addresses plus the call ID). An
// IP_PKTINFO control message names the source for each sendmsg/sendmmsg (ip(7)).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>

namespace pptp::net {

struct GreSource {
  alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(in_pktinfo))];
};

// Makes message leave from source (host order); 0 leaves the choice to the kernel. The control
// buffer is only read by the kernel, so the messages of one batch can share it.
inline void SetGreSource(msghdr* message, GreSource* buffer, uint32_t source) {
  if (source == 0) return;
  std::memset(buffer->control, 0, sizeof buffer->control);
  message->msg_control = buffer->control;
  message->msg_controllen = sizeof buffer->control;
  cmsghdr* header = CMSG_FIRSTHDR(message);
  header->cmsg_level = IPPROTO_IP;
  header->cmsg_type = IP_PKTINFO;
  header->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
  in_pktinfo info{};
  info.ipi_spec_dst.s_addr = htonl(source);
  std::memcpy(CMSG_DATA(header), &info, sizeof info);
}

}  // namespace pptp::net
