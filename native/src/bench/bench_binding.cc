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
  } else if (kind == "rc4-x2") {
    // count operations of size bytes, as for "rc4": two streams of count / 2 each
    std::vector<uint8_t> out2(size);
    pptp_rc4 a, b;
    pptp_rc4_init(&a, key, 16);
    pptp_rc4_init(&b, digest, 16);
    for (uint32_t i = 0; i + 1 < count; i += 2)
      pptp_rc4_crypt_x2(&a, in.data(), out.data(), size, &b, in.data(), out2.data(), size);
  } else if (kind == "mppe-stateful" || kind == "mppe-stateless") {
    pptp_mppe_enc e;
    pptp_mppe_enc_init(&e, key, 16, 128, kind == "mppe-stateless");
    for (uint32_t i = 0; i < count; i++) pptp_mppe_encrypt(&e, in.data(), size, out.data());
  } else if (kind == "mppe-stateless-x2") {
    std::vector<uint8_t> out2(size + PPTP_MPPE_HEADER);
    pptp_mppe_enc e;
    pptp_mppe_enc_init(&e, key, 16, 128, 1);
    for (uint32_t i = 0; i + 1 < count; i += 2)
      pptp_mppe_encrypt_x2(&e, in.data(), size, out.data(), in.data(), size, out2.data());
  } else {
    return TypeError(env, "cryptoBenchmark: kind is rc4, rc4-x2, sha1, mppe-stateful, mppe-stateless or mppe-stateless-x2");
  }
  double dt = ThreadCpuSeconds() - t0;
  // the results feed the return value so the loops cannot be optimised away
  return Napi::Number::New(env, dt + static_cast<double>((out[0] ^ digest[0]) & 0));
}

bool IsUint8Array(const Napi::Value& v) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
}

// mppeEncryptSequence(startKey: Uint8Array, bits, stateless: boolean, packets: Uint8Array[],
// pairs: boolean) -> the MPPE packets (header + ciphertext) one encrypter sends for them, in
// order: with pairs, consecutive packets go through pptp_mppe_encrypt_x2, else one at a time.
// The multi-buffer differential test compares the two.
Napi::Value MppeEncryptSequence(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage =
      "mppeEncryptSequence(startKey: Uint8Array, bits: 40|56|128, stateless: boolean, packets: Uint8Array[], pairs: boolean)";
  uint32_t bits;
  if (info.Length() != 5 || !IsUint8Array(info[0]) || !Uint(info[1], 128, &bits) || !info[2].IsBoolean() ||
      !info[3].IsArray() || !info[4].IsBoolean())
    return TypeError(env, usage);
  auto key = info[0].As<Napi::Uint8Array>();
  auto list = info[3].As<Napi::Array>();
  std::vector<Napi::Uint8Array> packets;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list.Get(i);
    if (!IsUint8Array(v) || v.As<Napi::Uint8Array>().ByteLength() > kMaxBenchSize) return TypeError(env, usage);
    packets.push_back(v.As<Napi::Uint8Array>());
  }
  pptp_mppe_enc e;
  if (pptp_mppe_enc_init(&e, key.Data(), key.ByteLength(), bits, info[2].As<Napi::Boolean>().Value()) != 0)
    return TypeError(env, "mppeEncryptSequence: start key must be 8 octets for 40/56-bit, 16 for 128-bit");
  bool pairs = info[4].As<Napi::Boolean>().Value();
  Napi::Array result = Napi::Array::New(env, packets.size());
  std::vector<Napi::Buffer<uint8_t>> outs;
  for (auto& p : packets) outs.push_back(Napi::Buffer<uint8_t>::New(env, p.ByteLength() + PPTP_MPPE_HEADER));
  size_t i = 0;
  for (; pairs && i + 1 < packets.size(); i += 2)
    pptp_mppe_encrypt_x2(&e, packets[i].Data(), packets[i].ByteLength(), outs[i].Data(), packets[i + 1].Data(),
                         packets[i + 1].ByteLength(), outs[i + 1].Data());
  for (; i < packets.size(); i++) pptp_mppe_encrypt(&e, packets[i].Data(), packets[i].ByteLength(), outs[i].Data());
  for (size_t k = 0; k < outs.size(); k++) result.Set(static_cast<uint32_t>(k), outs[k]);
  return result;
}

// rc4Pair(keyA, dataA, keyB, dataB) -> [RC4(keyA, dataA), RC4(keyB, dataB)] through the
// interleaved key schedule and key stream (keys of one length).
Napi::Value Rc4Pair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "rc4Pair(keyA: Uint8Array, dataA: Uint8Array, keyB: Uint8Array, dataB: Uint8Array): keys of one length, 1..256 octets";
  if (info.Length() != 4) return TypeError(env, usage);
  for (size_t i = 0; i < 4; i++)
    if (!IsUint8Array(info[i]) || info[i].As<Napi::Uint8Array>().ByteLength() > kMaxBenchSize) return TypeError(env, usage);
  auto ka = info[0].As<Napi::Uint8Array>(), da = info[1].As<Napi::Uint8Array>();
  auto kb = info[2].As<Napi::Uint8Array>(), db = info[3].As<Napi::Uint8Array>();
  if (ka.ByteLength() != kb.ByteLength() || ka.ByteLength() == 0 || ka.ByteLength() > 256) return TypeError(env, usage);
  pptp_rc4 a, b;
  pptp_rc4_init_x2(&a, ka.Data(), &b, kb.Data(), ka.ByteLength());
  auto oa = Napi::Buffer<uint8_t>::New(env, da.ByteLength());
  auto ob = Napi::Buffer<uint8_t>::New(env, db.ByteLength());
  pptp_rc4_crypt_x2(&a, da.Data(), oa.Data(), da.ByteLength(), &b, db.Data(), ob.Data(), db.ByteLength());
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, oa);
  result.Set(1u, ob);
  return result;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("mppeEncryptSequence", Napi::Function::New(env, MppeEncryptSequence, "mppeEncryptSequence"));
  exports.Set("rc4Pair", Napi::Function::New(env, Rc4Pair, "rc4Pair"));
  exports.Set("mppeKeySchedule", Napi::Function::New(env, MppeKeySchedule, "mppeKeySchedule"));
  exports.Set("cryptoBenchmark", Napi::Function::New(env, CryptoBenchmark, "cryptoBenchmark"));
}

pptp::ModuleRegistration reg("bench", Init);

}  // namespace
}  // namespace pptp::bench
