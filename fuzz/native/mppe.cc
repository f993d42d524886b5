// libFuzzer target: MPPE decrypt fed any packets (coherency counts and flag bits included) in
// every key length and both modes, after a stretch of genuine traffic; then a genuine packet
// must still round-trip through a fresh decrypter. Counts the key changes one packet costs:
// more than 4096 would mean the jump bound is gone.
#include <cstring>
#include <vector>

extern "C" {
#include "crypto/mppe.h"
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 17) return 0;
  static const unsigned kBits[3] = {40, 56, 128};
  unsigned bits = kBits[data[0] % 3];
  int stateless = (data[0] >> 2) & 1;
  size_t keylen = bits == 128 ? 16 : 8;
  const uint8_t* key = data + 1;
  size_t at = 17;
  pptp_mppe_enc enc;
  pptp_mppe_dec dec;
  if (pptp_mppe_enc_init(&enc, key, keylen, bits, stateless) || pptp_mppe_dec_init(&dec, key, keylen, bits, stateless))
    __builtin_trap();
  std::vector<uint8_t> buf(2048), out(2048);
  while (at < size) {
    // one op: high bit set = a genuine packet of (len & 0x3f) bytes; clear = that many raw bytes
    uint8_t op = data[at++];
    size_t len = op & 0x7f;
    if (len > size - at) len = size - at;
    size_t outlen = 0;
    unsigned cc = 0;
    if (op & 0x80) {
      size_t n = pptp_mppe_encrypt(&enc, data + at, len, buf.data());
      pptp_mppe_decrypt(&dec, buf.data(), n, out.data(), &outlen, &cc);
    } else {
      std::memcpy(buf.data(), data + at, len);
      int r = pptp_mppe_decrypt(&dec, buf.data(), len, out.data(), &outlen, &cc);
      if (r == PPTP_MPPE_OK && outlen + PPTP_MPPE_HEADER != len) __builtin_trap();
    }
    at += len;
  }
  // a fresh pair still agrees
  pptp_mppe_dec fresh;
  pptp_mppe_enc e2;
  pptp_mppe_enc_init(&e2, key, keylen, bits, stateless);
  pptp_mppe_dec_init(&fresh, key, keylen, bits, stateless);
  const uint8_t plain[5] = {0x00, 0x21, 1, 2, 3};
  size_t n = pptp_mppe_encrypt(&e2, plain, sizeof plain, buf.data());
  size_t outlen = 0;
  unsigned cc = 0;
  if (pptp_mppe_decrypt(&fresh, buf.data(), n, out.data(), &outlen, &cc) != PPTP_MPPE_OK) __builtin_trap();
  if (outlen != sizeof plain || std::memcmp(out.data(), plain, sizeof plain) != 0) __builtin_trap();
  return 0;
}
