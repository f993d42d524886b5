// A TUN device (IFF_TUN | IFF_NO_PI: every read/write is one bare IP packet), or with `tap` a TAP
// device (IFF_TAP: one Ethernet frame without FCS, what a BCP link bridges), opened with
// TUNSETIFF under a given name. Reads are drained in batches on readability (a loop of read()
// until EAGAIN or the batch is full) and handed to JavaScript as one array per wake-up.
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "poller.h"
#include "registry.h"

namespace pptp::net {
namespace {

constexpr size_t kMaxPacket = 65536;

class TunDevice : public Napi::ObjectWrap<TunDevice>, public FdPoller {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "TunDevice",
                       {InstanceMethod("write", &TunDevice::Write),
                        InstanceMethod("writeBatch", &TunDevice::WriteBatch),
                        InstanceMethod("close", &TunDevice::Close),
                        InstanceMethod("stats", &TunDevice::Stats),
                        InstanceAccessor("name", &TunDevice::Name, nullptr),
                        InstanceAccessor("fd", &TunDevice::Fd, nullptr)});
  }

  // new TunDevice(name, onBatch(packets: Buffer[]), batchSize = 64, tap = false)
  explicit TunDevice(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TunDevice>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsFunction()) {
      Napi::TypeError::New(env, "TunDevice(name: string, onBatch: function, batchSize?: number)")
          .ThrowAsJavaScriptException();
      return;
    }
    std::string want = info[0].As<Napi::String>().Utf8Value();
    if (want.size() >= IFNAMSIZ) {
      Napi::RangeError::New(env, "TUN name longer than 15 characters").ThrowAsJavaScriptException();
      return;
    }
    if (info.Length() > 2 && info[2].IsNumber()) {
      int n = info[2].As<Napi::Number>().Int32Value();
      if (n > 0 && n <= 1024) batch_ = n;
    }
    bool tap = info.Length() > 3 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
    int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      ErrnoError(env, "open /dev/net/tun", errno).ThrowAsJavaScriptException();
      return;
    }
    struct ifreq ifr;
    std::memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = (tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, want.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
      int err = errno;
      ::close(fd);
      ErrnoError(env, "TUNSETIFF", err).ThrowAsJavaScriptException();
      return;
    }
    name_ = ifr.ifr_name;  // the kernel may have expanded a "%d" pattern
    scratch_.resize(kMaxPacket);
    if (!StartPolling(env, fd, info[1].As<Napi::Function>())) {
      ::close(fd);
      Napi::Error::New(env, "uv_poll_init failed on the TUN fd").ThrowAsJavaScriptException();
      return;
    }
    Ref();  // kept alive by the open fd until close()
  }

 private:
  std::vector<napi_value> ReadBatch(Napi::Env env) override {
    std::vector<napi_value> out;
    Napi::Array packets = Napi::Array::New(env);
    uint32_t n = 0;
    while (fd_ >= 0 && n < static_cast<uint32_t>(batch_)) {
      ssize_t r = ::read(fd_, scratch_.data(), scratch_.size());
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) readErrors_++;
        break;
      }
      if (r == 0) break;
      packets.Set(n++, Napi::Buffer<uint8_t>::Copy(env, scratch_.data(), static_cast<size_t>(r)));
      rxPackets_++;
      rxBytes_ += static_cast<uint64_t>(r);
    }
    if (n == 0) return out;
    batches_++;
    out.push_back(packets);
    return out;
  }

  bool WriteOne(const Napi::Value& v) {
    // Bytes only: IsBuffer() is true for any typed array view.
    if (fd_ < 0 || !v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) return false;
    auto buf = v.As<Napi::Uint8Array>();
    ssize_t w;
    do {
      w = ::write(fd_, buf.Data(), buf.ByteLength());
    } while (w < 0 && errno == EINTR);
    if (w < 0) {
      writeDrops_++;
      return false;
    }
    txPackets_++;
    txBytes_ += buf.ByteLength();
    return true;
  }

  Napi::Value Write(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), info.Length() > 0 && WriteOne(info[0]));
  }

  // writeBatch(packets: Buffer[]): number written (a TUN fd has no vectored multi-packet write)
  Napi::Value WriteBatch(const Napi::CallbackInfo& info) {
    uint32_t ok = 0;
    if (info.Length() > 0 && info[0].IsArray()) {
      auto arr = info[0].As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); i++)
        if (WriteOne(arr.Get(i))) ok++;
    }
    return Napi::Number::New(info.Env(), ok);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (fd_ >= 0) {
      CloseFd();
      Unref();
    }
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("rxPackets", Napi::Number::New(env, static_cast<double>(rxPackets_)));
    o.Set("rxBytes", Napi::Number::New(env, static_cast<double>(rxBytes_)));
    o.Set("txPackets", Napi::Number::New(env, static_cast<double>(txPackets_)));
    o.Set("txBytes", Napi::Number::New(env, static_cast<double>(txBytes_)));
    o.Set("writeDrops", Napi::Number::New(env, static_cast<double>(writeDrops_)));
    o.Set("readErrors", Napi::Number::New(env, static_cast<double>(readErrors_)));
    o.Set("batches", Napi::Number::New(env, static_cast<double>(batches_)));
    return o;
  }

  Napi::Value Name(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), name_); }
  Napi::Value Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }

  std::string name_;
  std::vector<uint8_t> scratch_;
  int batch_ = 64;
  uint64_t rxPackets_ = 0, rxBytes_ = 0, txPackets_ = 0, txBytes_ = 0;
  uint64_t writeDrops_ = 0, readErrors_ = 0, batches_ = 0;
};

void Init(Napi::Env env, Napi::Object exports) { exports.Set("TunDevice", TunDevice::Define(env)); }

pptp::ModuleRegistration reg("net.tun", Init);

}  // namespace
}  // namespace pptp::net
