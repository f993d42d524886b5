// libFuzzer target: RC4 with any key length (1-256) and data; decrypting with the same key must
// give the input back.
#include <cstring>
#include <vector>

extern "C" {
#include "crypto/rc4.h"
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t keylen = static_cast<size_t>(data[0]) + 1;
  if (size - 1 < keylen) return 0;
  const uint8_t* key = data + 1;
  const uint8_t* in = key + keylen;
  size_t n = size - 1 - keylen;
  std::vector<uint8_t> enc(n), dec(n);
  pptp_rc4 a, b;
  pptp_rc4_init(&a, key, keylen);
  pptp_rc4_init(&b, key, keylen);
  // in two uneven pieces: the keystream must continue across calls
  size_t half = n / 3;
  pptp_rc4_crypt(&a, in, enc.data(), half);
  pptp_rc4_crypt(&a, in + half, enc.data() + half, n - half);
  pptp_rc4_crypt(&b, enc.data(), dec.data(), n);
  if (n && std::memcmp(dec.data(), in, n) != 0) __builtin_trap();
  return 0;
}
