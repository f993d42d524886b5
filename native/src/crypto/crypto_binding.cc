// Node-API face of the native crypto: an RC4 stream, SHA-1 with its implementation switch and
// the CPU features behind it, MPPE encrypter/decrypter objects. The key-schedule dump and the
// benchmark loops live in the bench-only addon (native/src/bench), not in the production one.
#include <time.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../registry.h"
#include "mppe.h"
#include "rc4.h"
#include "sha1.h"

namespace pptp::crypto {
namespace {

// Bytes only: a Buffer or Uint8Array. (napi_is_buffer is true for any typed array view, so
// IsBuffer() alone would take a Uint32Array or Float64Array as bytes.)
bool GetBytes(const Napi::Value& v, const uint8_t** data, size_t* len) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) return false;
  auto u8 = v.As<Napi::Uint8Array>();
  *data = u8.Data();
  *len = u8.ByteLength();
  return true;
}

Napi::Value TypeError(Napi::Env env, const char* msg) {
  Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

class Rc4Stream : public Napi::ObjectWrap<Rc4Stream> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Rc4Stream", {InstanceMethod("update", &Rc4Stream::Update)});
  }
  explicit Rc4Stream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Rc4Stream>(info) {
    const uint8_t* key;
    size_t len;
    if (info.Length() < 1 || !GetBytes(info[0], &key, &len) || len < 1 || len > 256) {
      TypeError(info.Env(), "Rc4Stream(key: Buffer of 1..256 octets)");
      return;
    }
    pptp_rc4_init(&st_, key, len);
  }

 private:
  // update(data) -> new Buffer; update(data, out) writes into out (same length) and returns it
  Napi::Value Update(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const uint8_t* in;
    size_t len;
    if (info.Length() < 1 || !GetBytes(info[0], &in, &len)) return TypeError(env, "update(data: Buffer, out?: Buffer)");
    if (info.Length() > 1 && !info[1].IsUndefined()) {
      const uint8_t* outc;
      size_t outlen;
      if (!GetBytes(info[1], &outc, &outlen) || outlen < len) return TypeError(env, "update: out shorter than data");
      pptp_rc4_crypt(&st_, in, const_cast<uint8_t*>(outc), len);
      return info[1];
    }
    auto out = Napi::Buffer<uint8_t>::New(env, len);
    pptp_rc4_crypt(&st_, in, out.Data(), len);
    return out;
  }
  pptp_rc4 st_;
};

bool ParseMppeArgs(const Napi::CallbackInfo& info, const uint8_t** key, size_t* len, unsigned* bits,
                   bool* stateless) {
  if (info.Length() < 3 || !GetBytes(info[0], key, len) || !info[1].IsNumber() || !info[2].IsBoolean()) return false;
  *bits = info[1].As<Napi::Number>().Uint32Value();
  *stateless = info[2].As<Napi::Boolean>().Value();
  return true;
}

class MppeEncrypter : public Napi::ObjectWrap<MppeEncrypter> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "MppeEncrypter", {InstanceMethod("encrypt", &MppeEncrypter::Encrypt),
                                              InstanceMethod("reset", &MppeEncrypter::Reset)});
  }
  explicit MppeEncrypter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MppeEncrypter>(info) {
    const uint8_t* key;
    size_t len;
    unsigned bits;
    bool stateless;
    if (!ParseMppeArgs(info, &key, &len, &bits, &stateless) ||
        pptp_mppe_enc_init(&st_, key, len, bits, stateless ? 1 : 0) != 0) {
      TypeError(info.Env(), "MppeEncrypter(startKey: 8 octets for 40/56, 16 for 128, bits: 40|56|128, stateless: boolean)");
    }
  }

 private:
  Napi::Value Encrypt(const Napi::CallbackInfo& info) {
    const uint8_t* in;
    size_t len;
    if (info.Length() < 1 || !GetBytes(info[0], &in, &len)) return TypeError(info.Env(), "encrypt(plain: Buffer)");
    auto out = Napi::Buffer<uint8_t>::New(info.Env(), len + PPTP_MPPE_HEADER);
    pptp_mppe_encrypt(&st_, in, len, out.Data());
    return out;
  }
  Napi::Value Reset(const Napi::CallbackInfo& info) {
    pptp_mppe_enc_reset(&st_);
    return info.Env().Undefined();
  }
  pptp_mppe_enc st_;
};

class MppeDecrypter : public Napi::ObjectWrap<MppeDecrypter> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "MppeDecrypter", {InstanceMethod("decrypt", &MppeDecrypter::Decrypt)});
  }
  explicit MppeDecrypter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MppeDecrypter>(info) {
    const uint8_t* key;
    size_t len;
    unsigned bits;
    bool stateless;
    if (!ParseMppeArgs(info, &key, &len, &bits, &stateless) ||
        pptp_mppe_dec_init(&st_, key, len, bits, stateless ? 1 : 0) != 0) {
      TypeError(info.Env(), "MppeDecrypter(startKey: 8 octets for 40/56, 16 for 128, bits: 40|56|128, stateless: boolean)");
    }
  }

 private:
  // decrypt(packet) -> Buffer (plain) or a negative pptp_mppe_result code
  Napi::Value Decrypt(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const uint8_t* in;
    size_t len;
    if (info.Length() < 1 || !GetBytes(info[0], &in, &len)) return TypeError(env, "decrypt(packet: Buffer)");
    // decrypt straight into the Buffer handed back; on an error it is simply dropped
    size_t room = len > PPTP_MPPE_HEADER ? len - PPTP_MPPE_HEADER : 0;
    auto out = Napi::Buffer<uint8_t>::New(env, room);
    size_t outlen = 0;
    unsigned cc = 0;
    int rc = pptp_mppe_decrypt(&st_, in, len, out.Data(), &outlen, &cc);
    if (rc != PPTP_MPPE_OK) return Napi::Number::New(env, rc);
    return out;
  }
  pptp_mppe_dec st_;
};

Napi::Value Sha1(const Napi::CallbackInfo& info) {
  const uint8_t* in;
  size_t len;
  if (info.Length() < 1 || !GetBytes(info[0], &in, &len)) return TypeError(info.Env(), "sha1(data: Buffer)");
  auto out = Napi::Buffer<uint8_t>::New(info.Env(), 20);
  pptp_sha1(in, len, out.Data());
  return out;
}

// [{ name, available }] for every implementation compiled into this build
Napi::Value Sha1Implementations(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const pptp_sha1_impl* const* list;
  size_t n = pptp_sha1_impls(&list);
  Napi::Array arr = Napi::Array::New(env);
  uint32_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (!list[i]->blocks) continue;  // not compiled for this architecture
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", list[i]->name);
    o.Set("available", Napi::Boolean::New(env, list[i]->available() != 0));
    arr.Set(k++, o);
  }
  return arr;
}

Napi::Value Sha1Active(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), pptp_sha1_active_name());
}

Napi::Value Sha1Force(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return TypeError(env, "sha1Force(name: string)");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  int rc = pptp_sha1_force(name.c_str());
  if (rc == -1) {
    Napi::Error::New(env, "unknown SHA-1 implementation: " + name).ThrowAsJavaScriptException();
  } else if (rc == -2) {
    Napi::Error::New(env, "SHA-1 implementation " + name + " cannot run on this CPU")
        .ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

Napi::Value CpuFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array arr = Napi::Array::New(env);
  std::string all = pptp_cpu_features();
  uint32_t k = 0;
  size_t pos = 0;
  while (pos < all.size()) {
    size_t sp = all.find(' ', pos);
    if (sp == std::string::npos) sp = all.size();
    if (sp > pos && all.compare(pos, sp - pos, "none") != 0) arr.Set(k++, all.substr(pos, sp - pos));
    pos = sp + 1;
  }
  return arr;
}

void Init(Napi::Env env, Napi::Object exports) {
  const char* want = std::getenv("PPTP_SHA1_IMPL");
  if (want && *want && std::strcmp(want, pptp_sha1_active_name()) != 0) {
    // sha1_dispatch.c tried it at load and could not use it: say so instead of running another
    Napi::Error::New(env, std::string("PPTP_SHA1_IMPL=") + want +
                              " is not an implementation this CPU can run (generic, neon, shani, armv8ce)")
        .ThrowAsJavaScriptException();
    return;
  }
  exports.Set("Rc4Stream", Rc4Stream::Define(env));
  exports.Set("MppeEncrypter", MppeEncrypter::Define(env));
  exports.Set("MppeDecrypter", MppeDecrypter::Define(env));
  exports.Set("sha1", Napi::Function::New(env, Sha1, "sha1"));
  exports.Set("sha1Implementations", Napi::Function::New(env, Sha1Implementations, "sha1Implementations"));
  exports.Set("sha1Active", Napi::Function::New(env, Sha1Active, "sha1Active"));
  exports.Set("sha1Force", Napi::Function::New(env, Sha1Force, "sha1Force"));
  exports.Set("cpuFeatures", Napi::Function::New(env, CpuFeatures, "cpuFeatures"));
}

ModuleRegistration reg("crypto", Init);

}  // namespace
}  // namespace pptp::crypto
