// Host network configuration over rtnetlink (issue 13 item 4): links, IPv4 addresses and routes
// set and read through one NETLINK_ROUTE socket instead of one `ip` process per change. With a
// thousand tunnels coming up, fork+exec of iproute2 (three or four per tunnel, each a few ms on a
// loaded box) was the set-up cost; a netlink request is a system call.
//
// Requests are synchronous: the kernel answers a route socket within the sendmsg call, so the
// reply is already queued when recv runs. Errors from the kernel come back as a string (null on
// success) with the extended-ack text when the kernel gives one; malformed arguments throw a
// TypeError before anything is sent. A socket can be opened inside a named network namespace
// (setns on this thread only for the socket() call; the socket stays bound to that namespace).
//
// Two additions for a thousand tunnels (issue 13 item 4):
// - watch()/changes(): a second socket subscribed to the link and IPv4 address groups. The kernel
//   queues a notification on it within the very system call that makes a change (ours, `ip`'s,
//   a TUN device's creation or deletion), so draining it before a read gives the current state
//   without dumping every link and address again: the caller keeps its own copy up to date.
// - setLinkAsync(): a rename waits out an RCU grace period under the RTNL lock (milliseconds, tens
//   of them on a loaded machine), so it runs on libuv's thread pool over a socket of its own.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "registry.h"

namespace pptp::net {
namespace {

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

// A request being built: header, family struct, then attributes, each 4-byte aligned.
class Message {
 public:
  Message(uint16_t type, uint16_t flags, const void* body, size_t bodyLen) {
    buf_.reserve(512);
    buf_.resize(NLMSG_LENGTH(bodyLen), 0);
    auto* h = Header();
    h->nlmsg_type = type;
    h->nlmsg_flags = static_cast<uint16_t>(flags | NLM_F_REQUEST);
    std::memcpy(NLMSG_DATA(h), body, bodyLen);
  }
  void Attr(uint16_t type, const void* data, size_t len) {
    size_t at = NLMSG_ALIGN(buf_.size());
    buf_.resize(at + RTA_ALIGN(RTA_LENGTH(len)), 0);
    auto* rta = reinterpret_cast<rtattr*>(buf_.data() + at);
    rta->rta_type = type;
    rta->rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
    std::memcpy(RTA_DATA(rta), data, len);
  }
  void AttrU32(uint16_t type, uint32_t v) { Attr(type, &v, sizeof v); }
  void AttrString(uint16_t type, const std::string& s) { Attr(type, s.c_str(), s.size() + 1); }
  nlmsghdr* Header() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
  std::vector<uint8_t>& Bytes() {
    Header()->nlmsg_len = static_cast<uint32_t>(buf_.size());
    return buf_;
  }

 private:
  std::vector<uint8_t> buf_;
};

// What parsing a reply found, per message; a dump calls it once per entry.
using OnMessage = void (*)(const nlmsghdr* h, void* ctx);

std::string ErrText(int err, const std::string& extack) {
  std::string s = std::strerror(err);
  if (!extack.empty()) s += ": " + extack;
  return s;
}

// One NETLINK_ROUTE socket and its request sequence: requests are answered in order on it, so
// it must not be shared between threads.
struct Channel {
  int fd = -1;
  uint32_t lastSeq = 0;

  // Sends m and reads until its ack (or NLMSG_DONE for a dump). Returns 0 or an errno; extack
  // gets the kernel's message. Each reply message of ours is handed to on (dumps, GETLINK).
  int Transact(Message& m, std::string& extack, OnMessage on = nullptr, void* ctx = nullptr) {
    uint32_t seq = ++lastSeq;
    m.Header()->nlmsg_seq = seq;
    auto& bytes = m.Bytes();
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t sent;
    do {
      sent = ::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return errno;
    const bool dump = (m.Header()->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    std::vector<uint8_t> rx(64 * 1024);
    for (;;) {
      ssize_t n = ::recv(fd, rx.data(), rx.size(), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      int len = static_cast<int>(n);
      for (auto* h = reinterpret_cast<nlmsghdr*>(rx.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_seq != seq) continue;  // a late answer to an earlier, abandoned request
        if (h->nlmsg_type == NLMSG_DONE) return 0;
        if (h->nlmsg_type == NLMSG_ERROR) {
          auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(h));
          if (e->error != 0) ExtAck(h, extack);
          if (!dump || e->error != 0) return -e->error;
          continue;
        }
        if (on != nullptr) on(h, ctx);
        if (!dump) {
          // GETLINK answers with one message and no ack unless NLM_F_ACK: the answer is the end.
          if (!(m.Header()->nlmsg_flags & NLM_F_ACK)) return 0;
        }
      }
    }
  }

  static void ExtAck(const nlmsghdr* h, std::string& out) {
    if (!(h->nlmsg_flags & NLM_F_ACK_TLVS)) return;
    // With NETLINK_CAP_ACK the request is not echoed: the TLVs follow the nlmsgerr header.
    size_t off = NLMSG_HDRLEN + sizeof(nlmsgerr);
    if (h->nlmsg_len <= off) return;
    int rem = static_cast<int>(h->nlmsg_len - off);
    for (auto* a = reinterpret_cast<const rtattr*>(reinterpret_cast<const uint8_t*>(h) + off); RTA_OK(a, rem);
         a = RTA_NEXT(a, rem)) {
      if (a->rta_type == NLMSGERR_ATTR_MSG) {
        const char* s = static_cast<const char*>(RTA_DATA(a));
        out.assign(s, strnlen(s, RTA_PAYLOAD(a)));
      }
    }
  }

  struct IndexCtx {
    int index = 0;
  };
  // The ifindex of name in this socket's namespace (if_nametoindex would ask the thread's own).
  int Resolve(const std::string& name, int& index, std::string& extack) {
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    Message m(RTM_GETLINK, 0, &ifi, sizeof ifi);
    m.AttrString(IFLA_IFNAME, name);
    uint32_t ext = RTEXT_FILTER_SKIP_STATS;
    m.AttrU32(IFLA_EXT_MASK, ext);
    IndexCtx ctx;
    int err = Transact(m, extack, [](const nlmsghdr* h, void* c) {
      if (h->nlmsg_type == RTM_NEWLINK) static_cast<IndexCtx*>(c)->index = static_cast<const ifinfomsg*>(NLMSG_DATA(h))->ifi_index;
    }, &ctx);
    if (err == ENODEV) extack = "Cannot find device \"" + name + "\"";
    index = ctx.index;
    return err != 0 ? err : (index > 0 ? 0 : ENODEV);
  }

};

// A NETLINK_ROUTE socket in the namespace at nsPath (the caller's own when empty), subscribed to
// groups (0: requests only). Returns the fd, or -1 with err set.
int OpenRoute(const std::string& nsPath, uint32_t groups, bool nonblocking, int rcvbuf, std::string& err) {
  int here = -1, there = -1;
  if (!nsPath.empty()) {
    here = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    there = ::open(nsPath.c_str(), O_RDONLY | O_CLOEXEC);
    if (here < 0 || there < 0 || ::setns(there, CLONE_NEWNET) < 0) {
      int e = errno;
      if (here >= 0) ::close(here);
      if (there >= 0) ::close(there);
      err = "cannot enter network namespace " + nsPath + ": " + std::strerror(e);
      return -1;
    }
  }
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), NETLINK_ROUTE);
  int socketErr = errno;
  if (here >= 0) {
    // Back to the namespace this thread came from; failing that, the thread is in the wrong
    // namespace for everything it does next, which must not pass silently.
    if (::setns(here, CLONE_NEWNET) < 0) std::abort();
    ::close(here);
    ::close(there);
  }
  if (fd < 0) {
    err = std::string("socket: ") + std::strerror(socketErr);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  ::setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  timeval tv{5, 0};  // a kernel that never answers would otherwise hang the caller
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = groups;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) {
    int e = errno;
    ::close(fd);
    err = std::string("bind: ") + std::strerror(e);
    return -1;
  }
  return fd;
}

std::string Ip(const void* p) {
  char s[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, p, s, sizeof s);
  return s;
}

// An RTM_NEWLINK/RTM_DELLINK message as {ifindex, name, mtu, flags, operState, kind?, address?}.
Napi::Object LinkObject(Napi::Env env, const nlmsghdr* h) {
  auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
  Napi::Object o = Napi::Object::New(env);
  o.Set("ifindex", ifi->ifi_index);
  o.Set("flags", ifi->ifi_flags);
  static const char* const kOper[] = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"};
  int rem = static_cast<int>(IFLA_PAYLOAD(h));
  for (auto* a = IFLA_RTA(ifi); RTA_OK(a, rem); a = RTA_NEXT(a, rem)) {
    switch (a->rta_type) {
      case IFLA_IFNAME:
        o.Set("name", std::string(static_cast<const char*>(RTA_DATA(a)), strnlen(static_cast<const char*>(RTA_DATA(a)), RTA_PAYLOAD(a))));
        break;
      case IFLA_MTU:
        if (RTA_PAYLOAD(a) >= 4) o.Set("mtu", *static_cast<const uint32_t*>(RTA_DATA(a)));
        break;
      case IFLA_OPERSTATE: {
        uint8_t st = *static_cast<const uint8_t*>(RTA_DATA(a));
        o.Set("operState", st < 7 ? kOper[st] : "UNKNOWN");
        break;
      }
      case IFLA_ADDRESS: {
        std::string mac;
        auto* b = static_cast<const uint8_t*>(RTA_DATA(a));
        char part[4];
        for (size_t i = 0; i < RTA_PAYLOAD(a); i++) {
          std::snprintf(part, sizeof part, i ? ":%02x" : "%02x", b[i]);
          mac += part;
        }
        o.Set("address", mac);
        break;
      }
      case IFLA_LINKINFO: {
        int lrem = static_cast<int>(RTA_PAYLOAD(a));
        for (auto* l = static_cast<const rtattr*>(RTA_DATA(a)); RTA_OK(l, lrem); l = RTA_NEXT(l, lrem)) {
          if (l->rta_type == IFLA_INFO_KIND)
            o.Set("kind", std::string(static_cast<const char*>(RTA_DATA(l)), strnlen(static_cast<const char*>(RTA_DATA(l)), RTA_PAYLOAD(l))));
        }
        break;
      }
      default:
        break;
    }
  }
  return o;
}

// An IPv4 RTM_NEWADDR/RTM_DELADDR message as {ifindex, local, prefixLength, peer?}; empty for
// another family or an address without one.
Napi::Object AddressObject(Napi::Env env, const nlmsghdr* h) {
  auto* ifa = static_cast<const ifaddrmsg*>(NLMSG_DATA(h));
  if (ifa->ifa_family != AF_INET) return Napi::Object();
  const void *local = nullptr, *address = nullptr;
  int rem = static_cast<int>(IFA_PAYLOAD(h));
  for (auto* a = IFA_RTA(ifa); RTA_OK(a, rem); a = RTA_NEXT(a, rem)) {
    if (a->rta_type == IFA_LOCAL && RTA_PAYLOAD(a) == 4) local = RTA_DATA(a);
    if (a->rta_type == IFA_ADDRESS && RTA_PAYLOAD(a) == 4) address = RTA_DATA(a);
  }
  if (local == nullptr) local = address;
  if (local == nullptr) return Napi::Object();
  Napi::Object o = Napi::Object::New(env);
  o.Set("ifindex", ifa->ifa_index);
  o.Set("local", Ip(local));
  o.Set("prefixLength", ifa->ifa_prefixlen);
  if (address != nullptr && std::memcmp(address, local, 4) != 0) o.Set("peer", Ip(address));
  return o;
}

// A request prepared (and its arguments checked) on the JavaScript thread and made from libuv's
// thread pool over a socket of its own: the device name is resolved there too, so nothing of the
// request waits on the event loop, neither the kernel's RTNL lock nor an RCU grace period.
using ChannelRequest = std::function<int(Channel& ch, std::string& extack)>;

class ChannelJob : public Napi::AsyncWorker {
 public:
  ChannelJob(Napi::Env env, std::string nsPath, ChannelRequest request)
      : Napi::AsyncWorker(env), nsPath_(std::move(nsPath)), request_(std::move(request)), done_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() const { return done_.Promise(); }

  void Execute() override {
    Channel ch;
    std::string openErr;
    ch.fd = OpenRoute(nsPath_, 0, false, 1 << 16, openErr);
    if (ch.fd < 0) {
      err_ = EIO;
      extack_ = "netlink: " + openErr;
      return;
    }
    err_ = request_(ch, extack_);
    ::close(ch.fd);
  }
  void OnOK() override {
    Napi::Env env = Env();
    done_.Resolve(err_ == 0 ? env.Null() : Napi::String::New(env, ErrText(err_, extack_)).As<Napi::Value>());
  }

 private:
  std::string nsPath_;
  ChannelRequest request_;
  int err_ = 0;
  std::string extack_;
  Napi::Promise::Deferred done_;
};

// RTM_NEWLINK for name: up/down, mtu, a new name (then looked up by index first).
int ChangeLink(Channel& ch, const std::string& name, ifinfomsg ifi, const std::string& newName, bool hasMtu, uint32_t mtu,
               std::string& extack) {
  if (!newName.empty()) {
    int index = 0;
    int err = ch.Resolve(name, index, extack);
    if (err != 0) return err;
    // Looked up by index: IFLA_IFNAME in the same message is then the new name.
    ifi.ifi_index = index;
    Message m(RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
    m.AttrString(IFLA_IFNAME, newName);
    if (hasMtu) m.AttrU32(IFLA_MTU, mtu);
    return ch.Transact(m, extack);
  }
  Message m(RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
  m.AttrString(IFLA_IFNAME, name);
  if (hasMtu) m.AttrU32(IFLA_MTU, mtu);
  int err = ch.Transact(m, extack);
  if (err == ENODEV) extack = "Cannot find device \"" + name + "\"";
  return err;
}

// RTM_NEWADDR (add) or RTM_DELADDR on dev; peer null for an address without one.
int ChangeAddress(Channel& ch, bool add, const std::string& dev, in_addr local, uint32_t prefix, const in_addr* peer,
                  std::string& extack) {
  int index = 0;
  int err = ch.Resolve(dev, index, extack);
  if (err != 0) return err;
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = static_cast<uint8_t>(prefix);
  ifa.ifa_index = static_cast<uint32_t>(index);
  ifa.ifa_scope = RT_SCOPE_UNIVERSE;
  Message m(add ? RTM_NEWADDR : RTM_DELADDR, NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0), &ifa, sizeof ifa);
  m.Attr(IFA_LOCAL, &local, sizeof local);
  m.Attr(IFA_ADDRESS, peer != nullptr ? peer : &local, sizeof local);
  if (peer == nullptr && prefix < 31 && add) {
    // What `ip address add a/len` sets: the subnet's broadcast address.
    uint32_t mask = prefix == 0 ? 0 : htonl(~((1u << (32 - prefix)) - 1));
    in_addr brd{local.s_addr | ~mask};
    m.Attr(IFA_BROADCAST, &brd, sizeof brd);
  }
  return ch.Transact(m, extack);
}

class Netlink : public Napi::ObjectWrap<Netlink> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Netlink",
                       {InstanceMethod("linkIndex", &Netlink::LinkIndex),
                        InstanceMethod("setLink", &Netlink::SetLink),
                        InstanceMethod("setLinkAsync", &Netlink::SetLinkAsync),
                        InstanceMethod("deleteLink", &Netlink::DeleteLink),
                        InstanceMethod("address", &Netlink::Address),
                        InstanceMethod("addressAsync", &Netlink::AddressAsync),
                        InstanceMethod("route", &Netlink::Route),
                        InstanceMethod("links", &Netlink::Links),
                        InstanceMethod("addresses", &Netlink::Addresses),
                        InstanceMethod("routes", &Netlink::Routes),
                        InstanceMethod("watch", &Netlink::Watch),
                        InstanceMethod("changes", &Netlink::Changes),
                        InstanceMethod("close", &Netlink::Close)});
  }

  // new Netlink(netnsPath?: string): a NETLINK_ROUTE socket, in that namespace when given.
  explicit Netlink(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Netlink>(info) {
    Napi::Env env = info.Env();
    if (info.Length() > 0 && !info[0].IsUndefined()) {
      if (!info[0].IsString() || info[0].As<Napi::String>().Utf8Value().empty()) {
        Napi::TypeError::New(env, "Netlink(netnsPath?: string)").ThrowAsJavaScriptException();
        return;
      }
      nsPath_ = info[0].As<Napi::String>().Utf8Value();
    }
    std::string err;
    ch_.fd = OpenRoute(nsPath_, 0, false, 1 << 20, err);
    if (ch_.fd < 0) Napi::Error::New(env, "netlink: " + err).ThrowAsJavaScriptException();
  }

  ~Netlink() override {
    if (ch_.fd >= 0) ::close(ch_.fd);
    if (watchFd_ >= 0) ::close(watchFd_);
  }

 private:
  bool Open(Napi::Env env) {
    if (ch_.fd >= 0) return true;
    Napi::Error::New(env, "netlink: socket is closed").ThrowAsJavaScriptException();
    return false;
  }

  // ---- argument checks: each returns false after throwing a TypeError ----------------------

  static bool Fail(Napi::Env env, const std::string& what) {
    Napi::TypeError::New(env, what).ThrowAsJavaScriptException();
    return false;
  }
  static bool IfName(Napi::Env env, const Napi::Value& v, const char* what, std::string& out) {
    if (!v.IsString()) return Fail(env, std::string(what) + " must be an interface name (string)");
    out = v.As<Napi::String>().Utf8Value();
    if (out.empty() || out.size() >= IFNAMSIZ || out.find('/') != std::string::npos ||
        out.find('\0') != std::string::npos || out == "." || out == "..")
      return Fail(env, std::string(what) + " is not a valid interface name: \"" + out + "\"");
    for (char c : out)
      if (c == ' ' || c == ':' || static_cast<unsigned char>(c) < 0x21)
        return Fail(env, std::string(what) + " is not a valid interface name: \"" + out + "\"");
    return true;
  }
  static bool Ipv4(Napi::Env env, const Napi::Value& v, const char* what, in_addr& out) {
    if (!v.IsString()) return Fail(env, std::string(what) + " must be an IPv4 address (string)");
    std::string s = v.As<Napi::String>().Utf8Value();
    if (::inet_pton(AF_INET, s.c_str(), &out) != 1) return Fail(env, std::string(what) + " is not an IPv4 address: \"" + s + "\"");
    return true;
  }
  static bool Integer(Napi::Env env, const Napi::Value& v, const char* what, double lo, double hi, uint32_t& out) {
    if (!v.IsNumber()) return Fail(env, std::string(what) + " must be a number");
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= lo && d <= hi) || d != static_cast<double>(static_cast<uint64_t>(d)))
      return Fail(env, std::string(what) + " must be an integer from " + std::to_string(static_cast<uint64_t>(lo)) +
                           " to " + std::to_string(static_cast<uint64_t>(hi)));
    out = static_cast<uint32_t>(d);
    return true;
  }
  static bool Op(Napi::Env env, const Napi::Value& v, bool allowReplace, int& out) {
    std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
    if (s == "add") out = 0;
    else if (s == "del") out = 1;
    else if (s == "replace" && allowReplace) out = 2;
    else return Fail(env, allowReplace ? "op must be \"add\", \"replace\" or \"del\"" : "op must be \"add\" or \"del\"");
    return true;
  }

  static Napi::Value Result(Napi::Env env, int err, const std::string& extack) {
    if (err == 0) return env.Null();
    return Napi::String::New(env, ErrText(err, extack));
  }

  // linkIndex(name): the ifindex, or 0 when there is no such link.
  Napi::Value LinkIndex(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string name;
    if (!Open(env) || !IfName(env, info[0], "name", name)) return env.Undefined();
    int index = 0;
    std::string extack;
    int err = ch_.Resolve(name, index, extack);
    if (err != 0 && err != ENODEV) return Result(env, err, extack);
    return Napi::Number::New(env, err == 0 ? index : 0);
  }

  // The arguments of setLink/setLinkAsync, checked: false after throwing a TypeError.
  bool LinkArgs(const Napi::CallbackInfo& info, const char* what, std::string& name, ifinfomsg& ifi, std::string& newName,
                bool& hasMtu, uint32_t& mtu) {
    Napi::Env env = info.Env();
    if (!Open(env) || !IfName(env, info[0], "name", name)) return false;
    if (!info[1].IsObject()) return Fail(env, std::string(what) + "(name, {up?, mtu?, name?}): changes must be an object");
    Napi::Object changes = info[1].As<Napi::Object>();
    ifi = ifinfomsg{};
    ifi.ifi_family = AF_UNSPEC;
    Napi::Value up = changes.Get("up");
    if (!up.IsUndefined()) {
      if (!up.IsBoolean()) return Fail(env, "up must be a boolean");
      ifi.ifi_change = IFF_UP;
      ifi.ifi_flags = up.As<Napi::Boolean>().Value() ? IFF_UP : 0;
    }
    Napi::Value mtuValue = changes.Get("mtu");
    hasMtu = !mtuValue.IsUndefined();
    if (hasMtu && !Integer(env, mtuValue, "mtu", 68, 65535, mtu)) return false;
    Napi::Value rename = changes.Get("name");
    if (!rename.IsUndefined() && !IfName(env, rename, "new name", newName)) return false;
    return true;
  }

  // setLink(name, {up?: boolean, mtu?: number, name?: string}): null or the kernel's error.
  Napi::Value SetLink(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string name, newName, extack;
    ifinfomsg ifi;
    bool hasMtu = false;
    uint32_t mtu = 0;
    if (!LinkArgs(info, "setLink", name, ifi, newName, hasMtu, mtu)) return env.Undefined();
    int err = ChangeLink(ch_, name, ifi, newName, hasMtu, mtu, extack);
    return Result(env, err, extack);
  }

  // setLinkAsync(name, {up?, mtu?, name?}): a Promise of null or the kernel's error, the request
  // made on libuv's thread pool. Bad arguments throw here, before anything is queued.
  Napi::Value SetLinkAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string name, newName;
    ifinfomsg ifi;
    bool hasMtu = false;
    uint32_t mtu = 0;
    if (!LinkArgs(info, "setLinkAsync", name, ifi, newName, hasMtu, mtu)) return env.Undefined();
    auto* job = new ChannelJob(env, nsPath_, [=](Channel& ch, std::string& extack) {
      return ChangeLink(ch, name, ifi, newName, hasMtu, mtu, extack);
    });
    Napi::Promise done = job->Promise();
    job->Queue();
    return done;
  }

  // deleteLink(name): null or the kernel's error.
  Napi::Value DeleteLink(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string name;
    if (!Open(env) || !IfName(env, info[0], "name", name)) return env.Undefined();
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    Message m(RTM_DELLINK, NLM_F_ACK, &ifi, sizeof ifi);
    m.AttrString(IFLA_IFNAME, name);
    std::string extack;
    int err = ch_.Transact(m, extack);
    if (err == ENODEV) extack = "Cannot find device \"" + name + "\"";
    return Result(env, err, extack);
  }

  struct AddressRequest {
    bool add;
    std::string dev;
    in_addr local{}, peer{};
    uint32_t prefix = 0;
    bool hasPeer = false;
  };
  bool AddressArgs(const Napi::CallbackInfo& info, AddressRequest& r) {
    Napi::Env env = info.Env();
    int op = 0;
    if (!Open(env) || !Op(env, info[0], false, op) || !IfName(env, info[1], "device", r.dev) ||
        !Ipv4(env, info[2], "local", r.local) || !Integer(env, info[3], "prefixLength", 0, 32, r.prefix))
      return false;
    r.add = op == 0;
    r.hasPeer = info.Length() > 4 && !info[4].IsUndefined();
    return !r.hasPeer || Ipv4(env, info[4], "peer", r.peer);
  }

  // address(op: "add"|"del", device, local, prefixLength, peer?): null or the kernel's error.
  Napi::Value Address(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    AddressRequest r;
    if (!AddressArgs(info, r)) return env.Undefined();
    std::string extack;
    int err = ChangeAddress(ch_, r.add, r.dev, r.local, r.prefix, r.hasPeer ? &r.peer : nullptr, extack);
    return Result(env, err, extack);
  }

  // addressAsync(op, device, local, prefixLength, peer?): address() on libuv's thread pool.
  Napi::Value AddressAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    AddressRequest r;
    if (!AddressArgs(info, r)) return env.Undefined();
    auto* job = new ChannelJob(env, nsPath_, [r](Channel& ch, std::string& extack) {
      return ChangeAddress(ch, r.add, r.dev, r.local, r.prefix, r.hasPeer ? &r.peer : nullptr, extack);
    });
    Napi::Promise done = job->Promise();
    job->Queue();
    return done;
  }

  // route(op: "add"|"replace"|"del", dst, prefixLength, {gateway?, device?, metric?}).
  Napi::Value Route(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int op = 0;
    in_addr dst{}, gw{};
    uint32_t prefix, metric = 0;
    std::string dev;
    if (!Open(env) || !Op(env, info[0], true, op) || !Ipv4(env, info[1], "dst", dst) ||
        !Integer(env, info[2], "prefixLength", 0, 32, prefix))
      return env.Undefined();
    if (!info[3].IsObject()) return Fail(env, "route: the fourth argument must be {gateway?, device?, metric?}"), env.Undefined();
    Napi::Object o = info[3].As<Napi::Object>();
    Napi::Value g = o.Get("gateway"), d = o.Get("device"), p = o.Get("metric");
    bool hasGw = !g.IsUndefined(), hasDev = !d.IsUndefined(), hasMetric = !p.IsUndefined();
    if (hasGw && !Ipv4(env, g, "gateway", gw)) return env.Undefined();
    if (hasDev && !IfName(env, d, "device", dev)) return env.Undefined();
    if (hasMetric && !Integer(env, p, "metric", 0, 4294967295.0, metric)) return env.Undefined();
    if (op != 1 && !hasGw && !hasDev) return Fail(env, "a route needs a gateway or a device"), env.Undefined();
    uint32_t mask = prefix == 0 ? 0 : htonl(~((1u << (32 - prefix)) - 1));
    if ((dst.s_addr & ~mask) != 0) return Fail(env, "dst has host bits set for its prefix length"), env.Undefined();
    int index = 0;
    std::string extack;
    if (hasDev) {
      int err = ch_.Resolve(dev, index, extack);
      if (err != 0) return Result(env, err, extack);
    }
    rtmsg rt{};
    rt.rtm_family = AF_INET;
    rt.rtm_dst_len = static_cast<uint8_t>(prefix);
    rt.rtm_table = RT_TABLE_MAIN;
    if (op != 1) {
      rt.rtm_protocol = RTPROT_BOOT;  // what `ip route add` uses
      rt.rtm_type = RTN_UNICAST;
      rt.rtm_scope = hasGw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    } else {
      rt.rtm_scope = RT_SCOPE_NOWHERE;
    }
    uint16_t flags = NLM_F_ACK;
    if (op == 0) flags |= NLM_F_CREATE | NLM_F_EXCL;
    if (op == 2) flags |= NLM_F_CREATE | NLM_F_REPLACE;
    Message m(op == 1 ? RTM_DELROUTE : RTM_NEWROUTE, flags, &rt, sizeof rt);
    m.AttrU32(RTA_TABLE, RT_TABLE_MAIN);
    if (prefix > 0) m.Attr(RTA_DST, &dst, sizeof dst);
    if (hasGw) m.Attr(RTA_GATEWAY, &gw, sizeof gw);
    if (hasDev) m.AttrU32(RTA_OIF, static_cast<uint32_t>(index));
    if (hasMetric) m.AttrU32(RTA_PRIORITY, metric);
    int err = ch_.Transact(m, extack);
    return Result(env, err, extack);
  }

  // ---- dumps -------------------------------------------------------------------------------

  struct DumpCtx {
    Napi::Env env;
    Napi::Array out;
    uint32_t n = 0;
  };

  Napi::Value Dump(Napi::Env env, uint16_t type, const void* body, size_t len, OnMessage on) {
    if (!Open(env)) return env.Undefined();
    Message m(type, NLM_F_DUMP, body, len);
    if (type == RTM_GETLINK) m.AttrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    DumpCtx ctx{env, Napi::Array::New(env)};
    std::string extack;
    int err = ch_.Transact(m, extack, on, &ctx);
    if (err != 0) {
      Napi::Error::New(env, "netlink dump: " + ErrText(err, extack)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return ctx.out;
  }

  // links(): [{ifindex, name, mtu, flags, operState, kind?, address?}]
  Napi::Value Links(const Napi::CallbackInfo& info) {
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    return Dump(info.Env(), RTM_GETLINK, &ifi, sizeof ifi, [](const nlmsghdr* h, void* c) {
      if (h->nlmsg_type != RTM_NEWLINK) return;
      auto& ctx = *static_cast<DumpCtx*>(c);
      ctx.out.Set(ctx.n++, LinkObject(ctx.env, h));
    });
  }

  // addresses(): IPv4 only, [{ifindex, local, prefixLength, peer?}]
  Napi::Value Addresses(const Napi::CallbackInfo& info) {
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    return Dump(info.Env(), RTM_GETADDR, &ifa, sizeof ifa, [](const nlmsghdr* h, void* c) {
      if (h->nlmsg_type != RTM_NEWADDR) return;
      auto& ctx = *static_cast<DumpCtx*>(c);
      Napi::Object o = AddressObject(ctx.env, h);
      if (!o.IsEmpty()) ctx.out.Set(ctx.n++, o);
    });
  }

  // routes(): IPv4 unicast routes of the main table, [{dst, prefixLength, gateway?, ifindex?, metric?}]
  Napi::Value Routes(const Napi::CallbackInfo& info) {
    rtmsg rt{};
    rt.rtm_family = AF_INET;
    return Dump(info.Env(), RTM_GETROUTE, &rt, sizeof rt, [](const nlmsghdr* h, void* c) {
      if (h->nlmsg_type != RTM_NEWROUTE) return;
      auto& ctx = *static_cast<DumpCtx*>(c);
      auto* rt = static_cast<const rtmsg*>(NLMSG_DATA(h));
      if (rt->rtm_family != AF_INET || (rt->rtm_flags & RTM_F_CLONED)) return;
      uint32_t table = rt->rtm_table;
      in_addr dst{};
      const void* gw = nullptr;
      bool hasOif = false, hasMetric = false;
      uint32_t oif = 0, metric = 0;
      int rem = static_cast<int>(RTM_PAYLOAD(h));
      for (auto* a = RTM_RTA(rt); RTA_OK(a, rem); a = RTA_NEXT(a, rem)) {
        switch (a->rta_type) {
          case RTA_TABLE: table = *static_cast<const uint32_t*>(RTA_DATA(a)); break;
          case RTA_DST: std::memcpy(&dst, RTA_DATA(a), 4); break;
          case RTA_GATEWAY: gw = RTA_DATA(a); break;
          case RTA_OIF: hasOif = true; oif = *static_cast<const uint32_t*>(RTA_DATA(a)); break;
          case RTA_PRIORITY: hasMetric = true; metric = *static_cast<const uint32_t*>(RTA_DATA(a)); break;
          default: break;
        }
      }
      if (table != RT_TABLE_MAIN) return;
      Napi::Object o = Napi::Object::New(ctx.env);
      o.Set("dst", Ip(&dst));
      o.Set("prefixLength", rt->rtm_dst_len);
      o.Set("type", rt->rtm_type);
      if (gw != nullptr) o.Set("gateway", Ip(gw));
      if (hasOif) o.Set("ifindex", oif);
      if (hasMetric) o.Set("metric", metric);
      ctx.out.Set(ctx.n++, o);
    });
  }

  // ---- change notifications ------------------------------------------------------------

  // watch(receiveBufferBytes?): subscribes a second socket, in the same namespace, to link and
  // IPv4 address changes. Idempotent. A buffer too small for the changes between two drains
  // overflows, which changes() reports so that the caller dumps again.
  Napi::Value Watch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env)) return env.Undefined();
    uint32_t bytes = 8u << 20;
    if (info.Length() > 0 && !info[0].IsUndefined() && !Integer(env, info[0], "receiveBufferBytes", 4096, 1u << 30, bytes))
      return env.Undefined();
    if (watchFd_ >= 0) return env.Undefined();
    std::string err;
    watchFd_ = OpenRoute(nsPath_, RTMGRP_LINK | RTMGRP_IPV4_IFADDR, true, static_cast<int>(bytes), err);
    if (watchFd_ < 0) Napi::Error::New(env, "netlink watch: " + err).ThrowAsJavaScriptException();
    return env.Undefined();
  }

  // changes(): what the kernel announced since the last call, in order, as
  // [{type: "link"|"address", deleted: boolean, ...the fields links()/addresses() give}];
  // null when notifications were lost (the receive buffer overflowed): dump again.
  Napi::Value Changes(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (watchFd_ < 0) {
      Napi::Error::New(env, "netlink: changes() before watch()").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Array out = Napi::Array::New(env);
    uint32_t n = 0;
    bool lost = false;
    std::vector<uint8_t> rx(64 * 1024);
    for (;;) {
      ssize_t got = ::recv(watchFd_, rx.data(), rx.size(), MSG_DONTWAIT);
      if (got < 0) {
        if (errno == EINTR) continue;
        if (errno == ENOBUFS) {
          lost = true;  // the queue is readable again after the error: keep draining
          continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        Napi::Error::New(env, std::string("netlink changes: ") + std::strerror(errno)).ThrowAsJavaScriptException();
        return env.Undefined();
      }
      int len = static_cast<int>(got);
      for (auto* h = reinterpret_cast<nlmsghdr*>(rx.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        Napi::Object o;
        bool link = h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK;
        // The link group also carries the bridge's per-port messages (AF_BRIDGE): an RTM_DELLINK
        // of those means a port left its bridge, not that the link is gone.
        if (link && static_cast<const ifinfomsg*>(NLMSG_DATA(h))->ifi_family != AF_UNSPEC) continue;
        if (link) o = LinkObject(env, h);
        else if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR) o = AddressObject(env, h);
        if (o.IsEmpty()) continue;
        o.Set("type", link ? "link" : "address");
        o.Set("deleted", h->nlmsg_type == RTM_DELLINK || h->nlmsg_type == RTM_DELADDR);
        out.Set(n++, o);
      }
    }
    if (lost) return env.Null();
    return out;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (ch_.fd >= 0) ::close(ch_.fd);
    ch_.fd = -1;
    if (watchFd_ >= 0) ::close(watchFd_);
    watchFd_ = -1;
    return info.Env().Undefined();
  }

  Channel ch_;
  std::string nsPath_;
  int watchFd_ = -1;
};

void Init(Napi::Env env, Napi::Object exports) { exports.Set("Netlink", Netlink::Define(env)); }

const ModuleRegistration kRegistration("netlink", Init);

}  // namespace
}  // namespace pptp::net
