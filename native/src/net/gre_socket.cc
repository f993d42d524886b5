// The daemon's one raw IPv4 socket for IP protocol 47 (GRE, RFC 2637 section 4). The kernel
// hands a raw IPv4 socket the whole datagram including the IP header, so each packet's source
// address is taken from that header and the header (IHL words) is skipped before JavaScript
// sees it. Receive is batched with recvmmsg; send builds no IP header (the kernel does) and can
// be batched with sendmmsg.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "gre_source.h"
#include "poller.h"
#include "registry.h"

namespace pptp::net {
namespace {

constexpr size_t kSlot = 16384;  // above any MTU we run at; larger datagrams are dropped as truncated
constexpr int kIpProtoGre = 47;

class GreSocket : public Napi::ObjectWrap<GreSocket>, public FdPoller {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "GreSocket",
                       {InstanceMethod("send", &GreSocket::Send),
                        InstanceMethod("sendBatch", &GreSocket::SendBatch),
                        InstanceMethod("close", &GreSocket::Close),
                        InstanceMethod("stats", &GreSocket::Stats),
                        InstanceAccessor("fd", &GreSocket::Fd, nullptr)});
  }

  // new GreSocket(onBatch(packets: Buffer[], sources: Uint32Array), batchSize = 64, bindAddress = 0)
  // Addresses are IPv4 as host-order unsigned 32-bit numbers.
  explicit GreSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GreSocket>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction()) {
      Napi::TypeError::New(env, "GreSocket(onBatch: function, batchSize?: number, bindAddress?: number)")
          .ThrowAsJavaScriptException();
      return;
    }
    if (info.Length() > 1 && info[1].IsNumber()) {
      int n = info[1].As<Napi::Number>().Int32Value();
      if (n > 0 && n <= 1024) batch_ = n;
    }
    int fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kIpProtoGre);
    if (fd < 0) {
      ErrnoError(env, "socket(AF_INET, SOCK_RAW, 47)", errno).ThrowAsJavaScriptException();
      return;
    }
    // A burst arriving while JavaScript is busy must wait in the socket, not be lost: a loss costs
    // stateful MPPE a CCP reset round trip. FORCE (as root) goes past net.core.rmem_max.
    int bufBytes = 4 << 20;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufBytes, sizeof bufBytes) < 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufBytes, sizeof bufBytes);
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufBytes, sizeof bufBytes) < 0)
      ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufBytes, sizeof bufBytes);
    if (info.Length() > 2 && info[2].IsNumber()) {
      uint32_t a = info[2].As<Napi::Number>().Uint32Value();
      if (a != 0) {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(a);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) < 0) {
          int err = errno;
          ::close(fd);
          ErrnoError(env, "bind GRE socket", err).ThrowAsJavaScriptException();
          return;
        }
      }
    }
    storage_.resize(static_cast<size_t>(batch_) * kSlot);
    iov_.resize(batch_);
    msgs_.resize(batch_);
    for (int i = 0; i < batch_; i++) {
      iov_[i].iov_base = storage_.data() + static_cast<size_t>(i) * kSlot;
      iov_[i].iov_len = kSlot;
    }
    if (!StartPolling(env, fd, info[0].As<Napi::Function>())) {
      ::close(fd);
      Napi::Error::New(env, "uv_poll_init failed on the GRE socket").ThrowAsJavaScriptException();
      return;
    }
    Ref();
  }

 private:
  std::vector<napi_value> ReadBatch(Napi::Env env) override {
    std::vector<napi_value> out;
    Napi::Array packets = Napi::Array::New(env);
    std::vector<uint32_t> sources;
    // Drain up to one batch per wake-up; level-triggered polling calls us again if more is queued.
    for (int i = 0; i < batch_; i++) {
      std::memset(&msgs_[i], 0, sizeof msgs_[i]);
      msgs_[i].msg_hdr.msg_iov = &iov_[i];
      msgs_[i].msg_hdr.msg_iovlen = 1;
    }
    int got;
    do {
      got = ::recvmmsg(fd_, msgs_.data(), static_cast<unsigned>(batch_), MSG_DONTWAIT, nullptr);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
      if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) readErrors_++;
      return out;
    }
    uint32_t n = 0;
    for (int i = 0; i < got; i++) {
      const uint8_t* p = static_cast<const uint8_t*>(iov_[i].iov_base);
      size_t len = msgs_[i].msg_len;
      if (msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) {
        truncated_++;
        continue;
      }
      // IPv4 header: version 4, IHL >= 5 words (RFC 791 section 3.1).
      if (len < 20 || (p[0] >> 4) != 4) {
        malformed_++;
        continue;
      }
      size_t ihl = static_cast<size_t>(p[0] & 0x0f) * 4;
      if (ihl < 20 || ihl > len) {
        malformed_++;
        continue;
      }
      uint32_t src = (uint32_t(p[12]) << 24) | (uint32_t(p[13]) << 16) | (uint32_t(p[14]) << 8) | p[15];
      packets.Set(n++, Napi::Buffer<uint8_t>::Copy(env, p + ihl, len - ihl));
      sources.push_back(src);
      rxPackets_++;
      rxBytes_ += len - ihl;
    }
    batches_++;
    if (n == 0) return out;
    Napi::Uint32Array srcArr = Napi::Uint32Array::New(env, n);
    for (uint32_t i = 0; i < n; i++) srcArr[i] = sources[i];
    out.push_back(packets);
    out.push_back(srcArr);
    return out;
  }

  // An IPv4 address as a host-order unsigned 32-bit integer; anything else is refused.
  static bool ToSockaddr(const Napi::Value& v, sockaddr_in* sin) {
    if (!v.IsNumber()) return false;
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0) || d > 4294967295.0 || d != static_cast<double>(static_cast<uint64_t>(d))) return false;
    std::memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(static_cast<uint32_t>(d));
    return true;
  }

  // The optional last argument of send and sendBatch: the source address (uint32, 0: the kernel picks).
  static bool ToSource(const Napi::CallbackInfo& info, size_t index, uint32_t* source) {
    *source = 0;
    if (info.Length() <= index) return true;
    sockaddr_in sin;
    if (!ToSockaddr(info[index], &sin)) return false;
    *source = ntohl(sin.sin_addr.s_addr);
    return true;
  }

  // send(packet: Uint8Array, address: uint32, source?: uint32): boolean (false: the kernel refused
  // it or closed)
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    sockaddr_in sin;
    uint32_t source;
    if (info.Length() < 2 || info.Length() > 3 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array || !ToSockaddr(info[1], &sin) ||
        !ToSource(info, 2, &source)) {
      Napi::TypeError::New(env, "send(packet: Uint8Array, address: uint32, source?: uint32)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (fd_ < 0) return Napi::Boolean::New(env, false);
    auto buf = info[0].As<Napi::Uint8Array>();
    iovec iov{buf.Data(), buf.ByteLength()};
    msghdr message{};
    message.msg_name = &sin;
    message.msg_namelen = sizeof sin;
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    GreSource control;
    SetGreSource(&message, &control, source);
    ssize_t w;
    do {
      w = ::sendmsg(fd_, &message, MSG_DONTWAIT);
    } while (w < 0 && errno == EINTR);
    if (w < 0) {
      sendErrors_++;
      return Napi::Boolean::New(env, false);
    }
    txPackets_++;
    txBytes_ += buf.ByteLength();
    return Napi::Boolean::New(env, true);
  }

  // sendBatch(packets: Uint8Array[], addresses: Uint32Array of the same length, source?: uint32):
  // number sent (one sendmmsg per call, all from one source). The types are checked, not assumed:
  // a Uint8Array of addresses would otherwise be read as four times as many bytes as it has.
  Napi::Value SendBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t source;
    if (info.Length() < 2 || info.Length() > 3 || !info[0].IsArray() || !info[1].IsTypedArray() ||
        info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array || !ToSource(info, 2, &source)) {
      Napi::TypeError::New(env, "sendBatch(packets: Uint8Array[], addresses: Uint32Array, source?: uint32)")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto arr = info[0].As<Napi::Array>();
    auto addrs = info[1].As<Napi::Uint32Array>();
    if (arr.Length() != addrs.ElementLength() || arr.Length() > 1024) {
      Napi::RangeError::New(env, "sendBatch: one address per packet, at most 1024 packets").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (fd_ < 0) return Napi::Number::New(env, 0);
    uint32_t count = arr.Length();
    std::vector<mmsghdr> msgs(count);
    std::vector<iovec> iov(count);
    std::vector<sockaddr_in> sins(count);
    GreSource control;
    for (uint32_t i = 0; i < count; i++) {
      Napi::Value v = arr.Get(i);
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
        Napi::TypeError::New(env, "sendBatch: every packet is a Uint8Array").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      auto buf = v.As<Napi::Uint8Array>();
      iov[i].iov_base = buf.Data();
      iov[i].iov_len = buf.ByteLength();
      std::memset(&sins[i], 0, sizeof sins[i]);
      sins[i].sin_family = AF_INET;
      sins[i].sin_addr.s_addr = htonl(addrs[i]);
      std::memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_name = &sins[i];
      msgs[i].msg_hdr.msg_namelen = sizeof sins[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      SetGreSource(&msgs[i].msg_hdr, &control, source);
    }
    uint32_t sent = 0;
    while (sent < count) {
      int r = ::sendmmsg(fd_, msgs.data() + sent, count - sent, MSG_DONTWAIT);
      if (r < 0) {
        if (errno == EINTR) continue;
        sendErrors_ += count - sent;  // the rest is dropped, as a full queue drops
        break;
      }
      for (int i = 0; i < r; i++) txBytes_ += iov[sent + i].iov_len;
      txPackets_ += r;
      sent += r;
    }
    return Napi::Number::New(env, sent);
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
    o.Set("sendErrors", Napi::Number::New(env, static_cast<double>(sendErrors_)));
    o.Set("readErrors", Napi::Number::New(env, static_cast<double>(readErrors_)));
    o.Set("truncated", Napi::Number::New(env, static_cast<double>(truncated_)));
    o.Set("malformed", Napi::Number::New(env, static_cast<double>(malformed_)));
    o.Set("batches", Napi::Number::New(env, static_cast<double>(batches_)));
    return o;
  }

  Napi::Value Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }

  int batch_ = 64;
  std::vector<uint8_t> storage_;
  std::vector<iovec> iov_;
  std::vector<mmsghdr> msgs_;
  uint64_t rxPackets_ = 0, rxBytes_ = 0, txPackets_ = 0, txBytes_ = 0;
  uint64_t sendErrors_ = 0, readErrors_ = 0, truncated_ = 0, malformed_ = 0, batches_ = 0;
};

void Init(Napi::Env env, Napi::Object exports) { exports.Set("GreSocket", GreSocket::Define(env)); }

pptp::ModuleRegistration reg("net.gre", Init);

}  // namespace
}  // namespace pptp::net
