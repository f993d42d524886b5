// The bench-only addon (pptp_bench.node, never shipped on the image): the RFC 3079 key schedule
// dumped for the vector tests, and in-C benchmark loops (bench/crypto.ts: per-packet cost
// without the JavaScript call overhead, which is what the native data plane pays). Both take
// sizes and counts from JavaScript, so they stay out of the production addon; here too every
// argument is checked before use.
#include <time.h>

#include <string>
#include <vector>

#include "../crypto/mppe.h"
#include "../crypto/rc4.h"
#include "../crypto/sha1.h"
#include "../registry.h"

namespace pptp::bench {
namespace {

constexpr uint32_t kMaxKeySchedule = 1 << 16;
constexpr uint32_t kMaxBenchSize = 1 << 16;

Napi::Value TypeError(Napi::Env env, const char* msg) {
  Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool Uint(const Napi::Value& v, uint32_t max, uint32_t* out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > max || d != static_cast<double>(static_cast<uint64_t>(d))) return false;
  *out = static_cast<uint32_t>(d);
  return true;
}

// mppeKeySchedule(startKey: Uint8Array, bits, count <= 65536) -> [initial session key, after 1 key change, ...]
Napi::Value MppeKeySchedule(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t bits, count;
  if (info.Length() != 3 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array || !Uint(info[1], 128, &bits) ||
      !Uint(info[2], kMaxKeySchedule, &count))
    return TypeError(env, "mppeKeySchedule(startKey: Uint8Array, bits: 40|56|128, count: 0..65536)");
  auto key = info[0].As<Napi::Uint8Array>();
  pptp_mppe_keys k;
  if (pptp_mppe_keys_init(&k, key.Data(), key.ByteLength(), bits) != 0)
    return TypeError(env, "mppeKeySchedule: start key must be 8 octets for 40/56-bit, 16 for 128-bit");
  Napi::Array arr = Napi::Array::New(env);
  for (uint32_t i = 0; i < count; i++) {
    if (i) pptp_mppe_rekey(&k);
    arr.Set(i, Napi::Buffer<uint8_t>::Copy(env, k.session_key, k.keylen));
  }
  return arr;
}

// cryptoBenchmark(kind: "rc4"|"sha1"|"mppe-stateful"|"mppe-stateless", size, count) -> seconds
// of this thread's CPU time spent in C on `count` operations of `size` bytes (MPPE: 128-bit,
// encrypt side). CPU time, like `openssl speed`, so other processes on a busy machine do not
// count against us.
double ThreadCpuSeconds() {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Napi::Value CryptoBenchmark(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t size, count;
  if (info.Length() != 3 || !info[0].IsString() || !Uint(info[1], kMaxBenchSize, &size) ||
      !Uint(info[2], 0xffffffffu, &count))
    return TypeError(env, "cryptoBenchmark(kind: string, size: 0..65536, count: uint32)");
  std::string kind = info[0].As<Napi::String>().Utf8Value();
  std::vector<uint8_t> in(size, 0x5a), out(size + PPTP_MPPE_HEADER);
  uint8_t key[16];
  for (int i = 0; i < 16; i++) key[i] = static_cast<uint8_t>(i * 17 + 3);
  uint8_t digest[20] = {0};
  double t0 = ThreadCpuSeconds();
  if (kind == "rc4") {
    pptp_rc4 st;
    pptp_rc4_init(&st, key, 16);
    for (uint32_t i = 0; i < count; i++) pptp_rc4_crypt(&st, in.data(), out.data(), size);
  } else if (kind == "sha1") {
    for (uint32_t i = 0; i < count; i++) {
      pptp_sha1(in.data(), size, digest);
      if (size > 0) in[0] = digest[0];
    }
  } else if (kind == "mppe-stateful" || kind == "mppe-stateless") {
    pptp_mppe_enc e;
    pptp_mppe_enc_init(&e, key, 16, 128, kind == "mppe-stateless");
    for (uint32_t i = 0; i < count; i++) pptp_mppe_encrypt(&e, in.data(), size, out.data());
  } else {
    return TypeError(env, "cryptoBenchmark: kind is rc4, sha1, mppe-stateful or mppe-stateless");
  }
  double dt = ThreadCpuSeconds() - t0;
  // the results feed the return value so the loops cannot be optimised away
  return Napi::Number::New(env, dt + static_cast<double>((out[0] ^ digest[0]) & 0));
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("mppeKeySchedule", Napi::Function::New(env, MppeKeySchedule, "mppeKeySchedule"));
  exports.Set("cryptoBenchmark", Napi::Function::New(env, CryptoBenchmark, "cryptoBenchmark"));
}

pptp::ModuleRegistration reg("bench", Init);

}  // namespace
}  // namespace pptp::bench
