// Node-API face of the native data plane (src/dataplane/native.ts wraps it in the DataPlane
// interface). Every argument is checked here: a wrong type or length is a TypeError/RangeError,
// never a read past the end of what JavaScript handed us. Sessions are handed to JavaScript as
// type-tagged externals, so a foreign external (or a plain object) is refused, not cast.
#include <unistd.h>

#include <atomic>
#include <memory>

#include "../registry.h"
#include "engine.h"

namespace pptp::dataplane {
namespace {

// The kernel deletes a TUN device when its last fd closes and waits out RCU grace periods doing
// it: tens of ms each on a busy machine, which a mass disconnect would spend on the event loop.
// Closed on libuv's thread pool instead; the promise says when the device (and its name) is gone.
class TunCloser : public Napi::AsyncWorker {
 public:
  TunCloser(Napi::Env env, int fd) : Napi::AsyncWorker(env), fd_(fd), done_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() const { return done_.Promise(); }
  void Execute() override { ::close(fd_); }
  void OnOK() override { done_.Resolve(Env().Undefined()); }

 private:
  int fd_;
  Napi::Promise::Deferred done_;
};

constexpr napi_type_tag kSessionTag = {0x7074707064617461ULL, 0x73657373696f6e31ULL};
constexpr int kMaxQueuedEvents = 4096;  // a peer flooding control frames cannot grow memory without bound

using SessionRef = std::shared_ptr<Session>;

void Throw(Napi::Env env, const char* message) { Napi::TypeError::New(env, message).ThrowAsJavaScriptException(); }
void ThrowRange(Napi::Env env, const std::string& message) {
  Napi::RangeError::New(env, message).ThrowAsJavaScriptException();
}

bool Uint(const Napi::Value& v, uint32_t max, uint32_t* out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > max || d != static_cast<double>(static_cast<uint64_t>(d))) return false;
  *out = static_cast<uint32_t>(d);
  return true;
}

bool Bytes(const Napi::Value& v, const uint8_t** data, size_t* len) {
  if (!v.IsTypedArray()) return false;
  auto ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint8_array) return false;
  auto u8 = v.As<Napi::Uint8Array>();
  *data = u8.Data();
  *len = u8.ByteLength();
  return true;
}

class DataPlaneEngine : public Napi::ObjectWrap<DataPlaneEngine> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "DataPlaneEngine",
                       {InstanceMethod("open", &DataPlaneEngine::Open),
                        InstanceMethod("closeSession", &DataPlaneEngine::CloseSession),
                        InstanceMethod("setPeerCallId", &DataPlaneEngine::SetPeerCallId),
                        InstanceMethod("setFraming", &DataPlaneEngine::SetFraming),
                        InstanceMethod("setMppe", &DataPlaneEngine::SetMppe),
                        InstanceMethod("resetMppeSend", &DataPlaneEngine::ResetMppeSend),
                        InstanceMethod("setIpEnabled", &DataPlaneEngine::SetIpEnabled),
                        InstanceMethod("setMssClamp", &DataPlaneEngine::SetMssClamp),
                        InstanceMethod("setMultilink", &DataPlaneEngine::SetMultilink),
                        InstanceMethod("sessionMultilink", &DataPlaneEngine::SessionMultilink),
                        InstanceMethod("sendControl", &DataPlaneEngine::SendControl),
                        InstanceMethod("sendData", &DataPlaneEngine::SendData),
                        InstanceMethod("sessionCounters", &DataPlaneEngine::SessionCounters),
                        InstanceMethod("sessionOffload", &DataPlaneEngine::SessionOffload),
                        InstanceMethod("counters", &DataPlaneEngine::Counters),
                        InstanceMethod("workers", &DataPlaneEngine::Workers),
                        InstanceMethod("close", &DataPlaneEngine::Close)});
  }

  // new DataPlaneEngine(onEvent(sessionId, kind, protocol, information|undefined, coherencyCount),
  //                     bindAddress, reorderWindow, reorderTimeoutMs, ackDelayMs[, workers, tunOffload])
  // workers 0: one packet thread per CPU.
  explicit DataPlaneEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DataPlaneEngine>(info) {
    Napi::Env env = info.Env();
    EngineOptions o;
    uint32_t window, timeout, ackDelay, workers = 0;
    bool extra = info.Length() == 7;
    if ((info.Length() != 5 && !extra) || !info[0].IsFunction() || !Uint(info[1], 0xffffffffu, &o.bindAddress) ||
        !Uint(info[2], 1024, &window) || window < 1 || !Uint(info[3], 60000, &timeout) ||
        !Uint(info[4], 60000, &ackDelay) || (extra && (!Uint(info[5], 64, &workers) || !info[6].IsBoolean()))) {
      Throw(env,
            "DataPlaneEngine(onEvent: function, bindAddress: uint32, reorderWindow: 1..1024, "
            "reorderTimeoutMs: 0..60000, ackDelayMs: 0..60000[, workers: 0..64, tunOffload: boolean])");
      return;
    }
    o.workers = workers;
    if (extra) o.tunOffload = info[6].As<Napi::Boolean>();
    o.reorderWindow = window;
    o.reorderTimeoutMs = timeout;
    o.ackDelayMs = ackDelay;
    tsfn_ = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "dataplane events", 0, 1);
    // Shared with the callbacks: a call already queued may run after this object is gone.
    auto queued = queued_;
    Napi::ThreadSafeFunction tsfn = tsfn_;
    EventSink sink = [tsfn, queued](Event* ev) mutable {
      if (queued->fetch_add(1) >= kMaxQueuedEvents) {
        queued->fetch_sub(1);
        return false;
      }
      napi_status st = tsfn.NonBlockingCall(ev, [queued](Napi::Env env, Napi::Function cb, Event* e) {
        queued->fetch_sub(1);
        std::unique_ptr<Event> owned(e);
        if (env == nullptr) return;
        Napi::Value information = env.Undefined();
        if (e->kind == kEventControl)
          information = Napi::Buffer<uint8_t>::Copy(env, e->information.data(), e->information.size());
        cb.Call({Napi::Number::New(env, e->sessionId), Napi::Number::New(env, e->kind),
                 Napi::Number::New(env, e->protocol), information, Napi::Number::New(env, e->coherencyCount)});
      });
      if (st != napi_ok) {
        queued->fetch_sub(1);
        return false;
      }
      return true;
    };
    std::string error;
    engine_ = Engine::Create(o, std::move(sink), &error);
    if (!engine_) {
      tsfn_.Release();
      Napi::Error::New(env, "native data plane: " + error).ThrowAsJavaScriptException();
    }
  }

  ~DataPlaneEngine() override { Shutdown(); }

 private:
  void Shutdown() {
    if (!engine_) return;
    engine_->Stop();  // joins the packet thread: no event is posted after this
    engine_.reset();
    tsfn_.Release();
  }

  // The session behind a type-tagged external; throws and returns null for anything else.
  // The session of a reader's only argument (its counters): readable after close and after the
  // engine is gone, since the session lives while its handle does. Null (thrown) when it is not one.
  Session* Peek(const Napi::CallbackInfo& info, const char* usage) {
    bool tagged = false;
    if (info.Length() == 1 && info[0].IsExternal()) napi_check_object_type_tag(info.Env(), info[0], &kSessionTag, &tagged);
    if (!tagged) {
      Throw(info.Env(), usage);
      return nullptr;
    }
    return info[0].As<Napi::External<SessionRef>>().Data()->get();
  }

  Session* Get(const Napi::CallbackInfo& info, size_t i) {
    bool tagged = false;
    if (i < info.Length() && info[i].IsExternal()) {
      napi_check_object_type_tag(info.Env(), info[i], &kSessionTag, &tagged);
    }
    if (!tagged) {
      Throw(info.Env(), "expected a native data plane session handle");
      return nullptr;
    }
    if (!engine_) {
      Napi::Error::New(info.Env(), "native data plane is closed").ThrowAsJavaScriptException();
      return nullptr;
    }
    return info[i].As<Napi::External<SessionRef>>().Data()->get();
  }

  // open(localCallId, peerCallId | null, peerAddress: uint32, localAddress: uint32 (0: any), tunName)
  //   -> [handle, sessionId, tunName]
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t local, peerCall = 0, peer, source;
    bool peerKnown = info.Length() > 1 && !info[1].IsNull();
    if (info.Length() != 5 || !Uint(info[0], 0xffff, &local) || (peerKnown && !Uint(info[1], 0xffff, &peerCall)) ||
        !Uint(info[2], 0xffffffffu, &peer) || !Uint(info[3], 0xffffffffu, &source) || !info[4].IsString()) {
      Throw(env,
            "open(localCallId: uint16, peerCallId: uint16 | null, peerAddress: uint32, localAddress: uint32, "
            "tunName: string)");
      return env.Undefined();
    }
    if (!engine_) {
      Napi::Error::New(env, "native data plane is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string error;
    SessionRef s = engine_->Open(static_cast<uint16_t>(local), peerKnown ? static_cast<int32_t>(peerCall) : -1, peer,
                                 source, info[4].As<Napi::String>().Utf8Value(), &error);
    if (!s) {
      Napi::Error::New(env, "native data plane: " + error).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto handle = Napi::External<SessionRef>::New(env, new SessionRef(s),
                                                  [](Napi::Env, SessionRef* ref) { delete ref; });
    napi_type_tag_object(env, handle, &kSessionTag);
    Napi::Array out = Napi::Array::New(env, 3);
    out.Set(0u, handle);
    out.Set(1u, Napi::Number::New(env, s->id));
    out.Set(2u, Napi::String::New(env, s->tunName));
    return out;
  }

  // closeSession(session) -> Promise<void>, settled once the TUN device is deleted.
  Napi::Value CloseSession(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Session* s = Get(info, 0);
    if (!s) return env.Undefined();
    int fd = engine_->Detach(*s);
    if (fd < 0) {
      auto done = Napi::Promise::Deferred::New(env);
      done.Resolve(env.Undefined());
      return done.Promise();
    }
    auto* closer = new TunCloser(env, fd);
    Napi::Promise done = closer->Promise();
    closer->Queue();
    return done;
  }

  Napi::Value SetPeerCallId(const Napi::CallbackInfo& info) {
    Session* s = Get(info, 0);
    if (!s) return info.Env().Undefined();
    uint32_t id;
    if (info.Length() != 2 || !Uint(info[1], 0xffff, &id)) {
      Throw(info.Env(), "setPeerCallId(session, peerCallId: uint16)");
      return info.Env().Undefined();
    }
    engine_->SetPeerCallId(*s, static_cast<uint16_t>(id));
    return info.Env().Undefined();
  }

  Napi::Value SetFraming(const Napi::CallbackInfo& info) {
    Session* s = Get(info, 0);
    if (!s) return info.Env().Undefined();
    if (info.Length() != 3 || !info[1].IsBoolean() || !info[2].IsBoolean()) {
      Throw(info.Env(), "setFraming(session, acfc: boolean, pfc: boolean)");
      return info.Env().Undefined();
    }
    engine_->SetFraming(*s, info[1].As<Napi::Boolean>(), info[2].As<Napi::Boolean>());
    return info.Env().Undefined();
  }

  static bool Mppe(const Napi::CallbackInfo& info, size_t at, MppeConfig* c) {
    uint32_t bits;
    if (!Bytes(info[at], &c->startKey, &c->keyLength) || !Uint(info[at + 1], 128, &bits) || !info[at + 2].IsBoolean())
      return false;
    c->bits = bits;
    c->stateless = info[at + 2].As<Napi::Boolean>();
    return true;
  }

  // setMppe(session, null) | setMppe(session, sendKey, sendBits, sendStateless, receiveKey, receiveBits, receiveStateless)
  Napi::Value SetMppe(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Session* s = Get(info, 0);
    if (!s) return env.Undefined();
    if (info.Length() == 2 && info[1].IsNull()) {
      engine_->SetMppe(*s, nullptr, nullptr);
      return env.Undefined();
    }
    MppeConfig send, receive;
    if (info.Length() != 7 || !Mppe(info, 1, &send) || !Mppe(info, 4, &receive)) {
      Throw(env, "setMppe(session, null) or setMppe(session, sendKey: Uint8Array, bits, stateless, receiveKey: Uint8Array, bits, stateless)");
      return env.Undefined();
    }
    if (!engine_->SetMppe(*s, &send, &receive))
      ThrowRange(env, "setMppe: bits must be 40, 56 or 128 with a start key of 8 (40/56) or 16 (128) octets");
    return env.Undefined();
  }

  Napi::Value ResetMppeSend(const Napi::CallbackInfo& info) {
    if (Session* s = Get(info, 0)) engine_->ResetMppeSend(*s);
    return info.Env().Undefined();
  }

  Napi::Value SetIpEnabled(const Napi::CallbackInfo& info) {
    Session* s = Get(info, 0);
    if (!s) return info.Env().Undefined();
    if (info.Length() != 2 || !info[1].IsBoolean()) {
      Throw(info.Env(), "setIpEnabled(session, enabled: boolean)");
      return info.Env().Undefined();
    }
    engine_->SetIpEnabled(*s, info[1].As<Napi::Boolean>());
    return info.Env().Undefined();
  }

  // setMssClamp(session, maxMss: 1..65535, or 0 for off)
  Napi::Value SetMssClamp(const Napi::CallbackInfo& info) {
    Session* s = Get(info, 0);
    uint32_t mss;
    if (!s) return info.Env().Undefined();
    if (info.Length() != 2 || !Uint(info[1], 0xffff, &mss)) {
      Throw(info.Env(), "setMssClamp(session, maxMss: uint16, 0 for off)");
      return info.Env().Undefined();
    }
    engine_->SetMssClamp(*s, static_cast<uint16_t>(mss));
    return info.Env().Undefined();
  }

  // setMultilink(session, null) or (session, mtu, sendShortSequence, receiveShortSequence, receiveMrru).
  Napi::Value SetMultilink(const Napi::CallbackInfo& info) {
    Session* s = Get(info, 0);
    if (!s) return info.Env().Undefined();
    if (info.Length() == 2 && info[1].IsNull()) {
      engine_->SetMultilink(*s, nullptr);
      return info.Env().Undefined();
    }
    uint32_t mtu, mrru;
    if (info.Length() != 5 || !Uint(info[1], 0xffff, &mtu) || mtu < 8 || !info[2].IsBoolean() || !info[3].IsBoolean() ||
        !Uint(info[4], 0xffff, &mrru)) {
      Throw(info.Env(), "setMultilink(session, null | mtu: 8..65535, sendShort: boolean, receiveShort: boolean, receiveMrru: uint16)");
      return info.Env().Undefined();
    }
    MultilinkConfig config{mtu, info[2].As<Napi::Boolean>().Value(), info[3].As<Napi::Boolean>().Value(), mrru};
    engine_->SetMultilink(*s, &config);
    return info.Env().Undefined();
  }

  // sessionMultilink(session) -> null (no Multilink) or the MultilinkCounter values (counters.h).
  Napi::Value SessionMultilink(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Session* s = Peek(info, "sessionMultilink(session)");
    if (!s) return env.Undefined();
    // Replaced only by setMultilink, on this thread: safe to read while the packet thread counts.
    if (!s->mp) return env.Null();
    auto out = Napi::Float64Array::New(env, kMultilinkCounterCount);
    for (unsigned i = 0; i < kMultilinkCounterCount; i++) out[i] = static_cast<double>(s->mp->stats.Get(i));
    return out;
  }

  // name(session, protocol: uint16, information: Uint8Array) -> boolean, sent by `send`.
  template <typename Send>
  Napi::Value SendFrame(const Napi::CallbackInfo& info, const char* name, Send send) {
    Napi::Env env = info.Env();
    Session* s = Get(info, 0);
    uint32_t protocol;
    const uint8_t* data;
    size_t len;
    if (!s) return env.Undefined();
    if (info.Length() != 3 || !Uint(info[1], 0xffff, &protocol) || !Bytes(info[2], &data, &len) || len > 65000) {
      Throw(env, (std::string(name) + "(session, protocol: uint16, information: Uint8Array of at most 65000 octets)").c_str());
      return env.Undefined();
    }
    return Napi::Boolean::New(env, send(*s, static_cast<uint16_t>(protocol), data, len));
  }

  Napi::Value SendControl(const Napi::CallbackInfo& info) {
    return SendFrame(info, "sendControl", [this](Session& s, uint16_t p, const uint8_t* d, size_t n) { return engine_->SendControl(s, p, d, n); });
  }

  // Encrypted while MPPE is on.
  Napi::Value SendData(const Napi::CallbackInfo& info) {
    return SendFrame(info, "sendData", [this](Session& s, uint16_t p, const uint8_t* d, size_t n) { return engine_->SendData(s, p, d, n); });
  }

  // sessionCounters(session) -> Float64Array in SessionCounter order (counters.h)
  Napi::Value SessionCounters(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Session* s = Peek(info, "sessionCounters(session)");
    if (!s) return env.Undefined();
    auto out = Napi::Float64Array::New(env, kSessionCounterCount);
    for (unsigned i = 0; i < kSessionCounterCount; i++) out[i] = static_cast<double>(s->stats.Get(i));
    return out;
  }

  // sessionOffload(session) -> [offload (1/0), TSO reads, segments sent from them, coalesced
  // writes, packets in them] (engine.h OffloadCounter)
  Napi::Value SessionOffload(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Session* s = Peek(info, "sessionOffload(session)");
    if (!s) return env.Undefined();
    auto out = Napi::Float64Array::New(env, 1 + kOffloadCounterCount);
    out[0] = s->offload ? 1 : 0;
    for (unsigned i = 0; i < kOffloadCounterCount; i++) out[1 + i] = static_cast<double>(s->offloadStats.Get(i));
    return out;
  }

  Napi::Value Workers(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), engine_ ? engine_->workers() : 0);
  }

  Napi::Value Counters(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto out = Napi::Float64Array::New(env, kEndpointCounterCount);
    for (unsigned i = 0; i < kEndpointCounterCount; i++)
      out[i] = engine_ ? static_cast<double>(engine_->counters().Get(i)) : last_[i];
    return out;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (engine_)
      for (unsigned i = 0; i < kEndpointCounterCount; i++) last_[i] = static_cast<double>(engine_->counters().Get(i));
    Shutdown();
    return info.Env().Undefined();
  }

  std::unique_ptr<Engine> engine_;
  Napi::ThreadSafeFunction tsfn_;
  std::shared_ptr<std::atomic<int>> queued_ = std::make_shared<std::atomic<int>>(0);
  double last_[kEndpointCounterCount] = {};
};

void Init(Napi::Env env, Napi::Object exports) { exports.Set("DataPlaneEngine", DataPlaneEngine::Define(env)); }

pptp::ModuleRegistration reg("dataplane", Init);

}  // namespace
}  // namespace pptp::dataplane
