// libFuzzer target: the Multilink reassembler (native/src/dataplane/multilink.c), which the packet
// thread feeds with every MP frame a peer sends, on any fragment stream and clock; and the
// fragmenter, whose fragments of any packet must reassemble to that packet. A completed packet
// must fit the limits; ASan checks every read and write of the reassembly buffer.
#include <cstring>
#include <vector>

extern "C" {
#include "dataplane/multilink.h"
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  int shortSequence = data[0] & 1;
  size_t maxPacket = 1 + data[1] * 8u;  // 1..2041
  unsigned maxFragments = 1 + (data[2] & 0x3f);
  std::vector<uint8_t> buffer(maxPacket);
  pptp_mp_reassembler r;
  pptp_mp_reassembler_init(&r, shortSequence, buffer.data(), buffer.size(), maxFragments, 1000);
  uint64_t now = 0;
  size_t at = 3;
  // Fragments as they come: a length octet, then that many octets (an exact-size copy each).
  while (at < size) {
    size_t len = data[at++];
    if (len > size - at) len = size - at;
    now += len & 0x0f ? 0 : 700;  // now and then a clock step past half the timeout
    std::vector<uint8_t> fragment(data + at, data + at + len);
    at += len;
    size_t got = pptp_mp_receive(&r, fragment.data(), fragment.size(), now);
    if (got > maxPacket) __builtin_trap();
    if (r.fragments > maxFragments || r.octets > maxPacket) __builtin_trap();
    pptp_mp_expire(&r, now);
  }
  // The rest of the input as one packet: fragmented at an MTU from the input, then reassembled.
  size_t mtu = 3 + data[1] % 200;
  pptp_mp_fragmenter f{shortSequence, data[2] * 97u % (shortSequence ? 0x1000u : 0x1000000u)};
  size_t packetLength = size - 3;
  unsigned count = pptp_mp_fragment_count(&f, packetLength, mtu);
  if (count == 0 || count > 4096) return 0;
  std::vector<uint8_t> whole(packetLength + 2);
  pptp_mp_reassembler back;
  pptp_mp_reassembler_init(&back, shortSequence, whole.data(), whole.size(), count, 1000);
  size_t done = 0;
  for (unsigned i = 0; i < count; i++) {
    std::vector<uint8_t> out(mtu);
    size_t n = pptp_mp_fragment(&f, data + 3, packetLength, i, count, out.data());
    if (n > mtu) __builtin_trap();
    out.resize(n);
    done = pptp_mp_receive(&back, out.data(), out.size(), 0);
    if (done != 0 && i != count - 1) __builtin_trap();
  }
  if (packetLength > 0 && (done != packetLength || std::memcmp(whole.data(), data + 3, packetLength) != 0)) __builtin_trap();
  return 0;
}
