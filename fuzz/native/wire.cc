// libFuzzer target: the native packet path's parsers (native/src/dataplane/wire.h) and the TCP MSS
// clamp on any bytes. A parsed payload must lie inside the input; ASan catches any read past it.
#include <cstring>
#include <vector>

#include "dataplane/wire.h"
extern "C" {
#include "dataplane/tcp_mss.h"
}

using namespace pptp::dataplane;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // an exact-size copy, so ASan sees a read one byte past the input
  std::vector<uint8_t> copy(data, data + size);
  const uint8_t* p = copy.data();
  GreHeader h{};
  if (ParseGre(p, size, &h)) {
    if (h.payload < p || h.payload + h.payloadLength > p + size) __builtin_trap();
    if (!h.hasSeq && h.payloadLength) __builtin_trap();
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < h.payloadLength; i++) sink ^= h.payload[i];
  }
  uint16_t protocol;
  size_t at;
  if (ParsePpp(p, size, &protocol, &at)) {
    if (at > size) __builtin_trap();
  }
  if (size >= 2) pptp_clamp_tcp_mss(copy.data(), size, static_cast<uint16_t>(data[0] << 8 | data[1]));
  return 0;
}
