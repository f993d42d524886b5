// The TUN offload codec (native/src/dataplane/offload.h) exposed to the tests, bench addon only:
// segmenting and coalescing are checked byte for byte against a TypeScript oracle
// (test/dataplane/offload-codec.test.ts) on packets the tests build, which the kernel's TUN
// device cannot be made to produce on demand.
#include <vector>

#include "../dataplane/offload.h"
#include "../registry.h"

namespace pptp::bench {
namespace {

using pptp::dataplane::Coalescer;

bool Bytes(const Napi::Value& v, const uint8_t** data, size_t* len) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) return false;
  auto u8 = v.As<Napi::Uint8Array>();
  *data = u8.Data();
  *len = u8.ByteLength();
  return true;
}

Napi::Value Fail(Napi::Env env, const char* msg) {
  Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

// tsoSegment(packet: Uint8Array, gsoSize: 1..65535) -> Buffer[] | null (not a TCP/IPv4 super-packet)
Napi::Value TsoSegment(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* p;
  size_t len;
  if (info.Length() != 2 || !Bytes(info[0], &p, &len) || !info[1].IsNumber() || len > 65535)
    return Fail(env, "tsoSegment(packet: Uint8Array of at most 65535 octets, gsoSize: number)");
  double gso = info[1].As<Napi::Number>().DoubleValue();
  if (!(gso >= 1 && gso <= 65535) || gso != static_cast<double>(static_cast<uint32_t>(gso)))
    return Fail(env, "tsoSegment: gsoSize is 1..65535");
  pptp::dataplane::Tcp4Plan plan;
  if (!pptp::dataplane::PlanTcp4(p, len, static_cast<size_t>(gso), &plan)) return env.Null();
  Napi::Array out = Napi::Array::New(env, plan.count);
  std::vector<uint8_t> seg(plan.headerLength + plan.mss);
  for (unsigned i = 0; i < plan.count; i++) {
    size_t n = pptp::dataplane::WriteTcp4Segment(p, plan, i, seg.data());
    out.Set(i, Napi::Buffer<uint8_t>::Copy(env, seg.data(), n));
  }
  return out;
}

// groCoalesce(packets: Uint8Array[]) -> Buffer[]: what the receive path writes to TUN, each
// write a virtio_net_hdr (10 octets) and a packet.
Napi::Value GroCoalesce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsArray()) return Fail(env, "groCoalesce(packets: Uint8Array[])");
  auto in = info[0].As<Napi::Array>();
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  auto gro = std::make_unique<Coalescer>();
  auto take = [&]() {
    size_t len;
    const uint8_t* d = gro->Take(&len);
    out.Set(n++, Napi::Buffer<uint8_t>::Copy(env, d, len));
  };
  for (uint32_t i = 0; i < in.Length(); i++) {
    const uint8_t* p;
    size_t len;
    if (!Bytes(in.Get(i), &p, &len)) return Fail(env, "groCoalesce: every packet is a Uint8Array");
    if (gro->Push(p, len)) continue;
    if (gro->holding()) {
      take();
      if (gro->Push(p, len)) continue;
    }
    std::vector<uint8_t> alone(pptp::dataplane::kVnetHdrLen + len, 0);
    std::copy(p, p + len, alone.begin() + pptp::dataplane::kVnetHdrLen);
    out.Set(n++, Napi::Buffer<uint8_t>::Copy(env, alone.data(), alone.size()));
  }
  if (gro->holding()) take();
  return out;
}

// completeChecksum(packet: Uint8Array, start, offset) -> Buffer | null: NEEDS_CSUM finished.
Napi::Value CompleteChecksum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* p;
  size_t len;
  if (info.Length() != 3 || !Bytes(info[0], &p, &len) || !info[1].IsNumber() || !info[2].IsNumber())
    return Fail(env, "completeChecksum(packet: Uint8Array, start: number, offset: number)");
  uint32_t start = info[1].As<Napi::Number>().Uint32Value(), offset = info[2].As<Napi::Number>().Uint32Value();
  std::vector<uint8_t> copy(p, p + len);
  if (!pptp::dataplane::CompleteChecksum(copy.data(), copy.size(), start, offset)) return env.Null();
  return Napi::Buffer<uint8_t>::Copy(env, copy.data(), copy.size());
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("tsoSegment", Napi::Function::New(env, TsoSegment, "tsoSegment"));
  exports.Set("groCoalesce", Napi::Function::New(env, GroCoalesce, "groCoalesce"));
  exports.Set("completeChecksum", Napi::Function::New(env, CompleteChecksum, "completeChecksum"));
}

pptp::ModuleRegistration reg("bench.offload", Init);

}  // namespace
}  // namespace pptp::bench
