// libFuzzer target: SHA-1 over any input, every implementation this CPU runs (generic, SHA-NI or
// ARMv8 CE) and any split of the input into update() calls give the same digest.
#include <cstring>

extern "C" {
#include "crypto/sha1.h"
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t split = size ? data[0] % (size + 1) : 0;
  uint8_t ref[20];
  pptp_sha1_force("generic");
  pptp_sha1(data, size, ref);
  const pptp_sha1_impl* const* list;
  size_t count = pptp_sha1_impls(&list);
  for (size_t i = 0; i < count; i++) {
    if (!list[i] || !list[i]->blocks || !list[i]->available()) continue;
    pptp_sha1_force(list[i]->name);
    pptp_sha1_ctx ctx;
    pptp_sha1_init(&ctx);
    pptp_sha1_update(&ctx, data, split);
    pptp_sha1_update(&ctx, data + split, size - split);
    uint8_t out[20];
    pptp_sha1_final(&ctx, out);
    if (std::memcmp(out, ref, 20) != 0) __builtin_trap();
  }
  return 0;
}
