// libFuzzer target: the native receive window (native/src/dataplane/rx_window.h) fed any sequence
// numbers, times and expiries. Every delivered packet must be one that was given to it, read in
// full (ASan checks the held copies), never twice, and never more held than the window's size.
#include <cstring>
#include <set>
#include <vector>

#include "dataplane/rx_window.h"

using namespace pptp::dataplane;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  unsigned windowSize = 1 + data[0] % 32;
  RxWindow w(windowSize, 30);
  uint32_t base = 0;
  double now = 0;
  std::vector<Delivery> out;
  std::vector<std::vector<uint8_t>> keep;
  std::set<uint32_t> given;  // ids (payload = 4-byte id) delivered so far
  uint32_t id = 0;
  size_t at = 1;
  while (at + 5 <= size) {
    uint8_t op = data[at];
    uint32_t arg;
    std::memcpy(&arg, data + at + 1, 4);
    at += 5;
    out.clear();
    keep.clear();
    uint8_t payload[4];  // an in-order delivery points here (the engine's receive slot)
    now += op & 0x0f;
    if ((op & 0x30) == 0x30) {
      w.Expire(now, out, keep);
    } else {
      // near the stream (small signed step) or anywhere (spoofed)
      uint32_t seq = (op & 0x40) ? arg : base + static_cast<int8_t>(arg & 0xff);
      if (!(op & 0x40)) base += 1;
      std::memcpy(payload, &id, 4);
      id++;
      w.Receive(seq, payload, sizeof payload, now, out, keep);
    }
    for (const Delivery& d : out) {
      if (d.len != 4) __builtin_trap();
      uint32_t got;
      std::memcpy(&got, d.data, 4);
      if (got >= id || !given.insert(got).second) __builtin_trap();
    }
  }
  return 0;
}
