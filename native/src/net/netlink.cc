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

class Netlink : public Napi::ObjectWrap<Netlink> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Netlink",
                       {InstanceMethod("linkIndex", &Netlink::LinkIndex),
                        InstanceMethod("setLink", &Netlink::SetLink),
                        InstanceMethod("deleteLink", &Netlink::DeleteLink),
                        InstanceMethod("address", &Netlink::Address),
                        InstanceMethod("route", &Netlink::Route),
                        InstanceMethod("links", &Netlink::Links),
                        InstanceMethod("addresses", &Netlink::Addresses),
                        InstanceMethod("routes", &Netlink::Routes),
                        InstanceMethod("close", &Netlink::Close)});
  }

  // new Netlink(netnsPath?: string): a NETLINK_ROUTE socket, in that namespace when given.
  explicit Netlink(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Netlink>(info) {
    Napi::Env env = info.Env();
    std::string nsPath;
    if (info.Length() > 0 && !info[0].IsUndefined()) {
      if (!info[0].IsString() || info[0].As<Napi::String>().Utf8Value().empty()) {
        Napi::TypeError::New(env, "Netlink(netnsPath?: string)").ThrowAsJavaScriptException();
        return;
      }
      nsPath = info[0].As<Napi::String>().Utf8Value();
    }
    int here = -1, there = -1;
    if (!nsPath.empty()) {
      here = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
      there = ::open(nsPath.c_str(), O_RDONLY | O_CLOEXEC);
      if (here < 0 || there < 0 || ::setns(there, CLONE_NEWNET) < 0) {
        int err = errno;
        if (here >= 0) ::close(here);
        if (there >= 0) ::close(there);
        Napi::Error::New(env, "netlink: cannot enter network namespace " + nsPath + ": " + std::strerror(err))
            .ThrowAsJavaScriptException();
        return;
      }
    }
    fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    int socketErr = errno;
    if (here >= 0) {
      // Back to the namespace this thread came from; failing that, the thread is in the wrong
      // namespace for everything it does next, which must not pass silently.
      if (::setns(here, CLONE_NEWNET) < 0) std::abort();
      ::close(here);
      ::close(there);
    }
    if (fd_ < 0) {
      Napi::Error::New(env, std::string("netlink: socket: ") + std::strerror(socketErr)).ThrowAsJavaScriptException();
      return;
    }
    int one = 1;
    ::setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    ::setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    int buf = 1 << 20;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    timeval tv{5, 0};  // a kernel that never answers would otherwise hang the event loop
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) {
      int err = errno;
      ::close(fd_);
      fd_ = -1;
      Napi::Error::New(env, std::string("netlink: bind: ") + std::strerror(err)).ThrowAsJavaScriptException();
    }
  }

  ~Netlink() override {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  // Sends m and reads until its ack (or NLMSG_DONE for a dump). Returns 0 or an errno; extack
  // gets the kernel's message. Each reply message of ours is handed to on (dumps, GETLINK).
  int Transact(Message& m, std::string& extack, OnMessage on = nullptr, void* ctx = nullptr) {
    uint32_t seq = ++seq_;
    m.Header()->nlmsg_seq = seq;
    auto& bytes = m.Bytes();
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t sent;
    do {
      sent = ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return errno;
    const bool dump = (m.Header()->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    std::vector<uint8_t> rx(64 * 1024);
    for (;;) {
      ssize_t n = ::recv(fd_, rx.data(), rx.size(), 0);
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

  bool Open(Napi::Env env) {
    if (fd_ >= 0) return true;
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

  // linkIndex(name): the ifindex, or 0 when there is no such link.
  Napi::Value LinkIndex(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string name;
    if (!Open(env) || !IfName(env, info[0], "name", name)) return env.Undefined();
    int index = 0;
    std::string extack;
    int err = Resolve(name, index, extack);
    if (err != 0 && err != ENODEV) return Result(env, err, extack);
    return Napi::Number::New(env, err == 0 ? index : 0);
  }

  // setLink(name, {up?: boolean, mtu?: number, name?: string}): null or the kernel's error.
  Napi::Value SetLink(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string name, newName;
    if (!Open(env) || !IfName(env, info[0], "name", name)) return env.Undefined();
    if (!info[1].IsObject()) {
      Fail(env, "setLink(name, {up?, mtu?, name?}): changes must be an object");
      return env.Undefined();
    }
    Napi::Object changes = info[1].As<Napi::Object>();
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    Napi::Value up = changes.Get("up");
    if (!up.IsUndefined()) {
      if (!up.IsBoolean()) return Fail(env, "up must be a boolean"), env.Undefined();
      ifi.ifi_change = IFF_UP;
      ifi.ifi_flags = up.As<Napi::Boolean>().Value() ? IFF_UP : 0;
    }
    Message m(RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
    m.AttrString(IFLA_IFNAME, name);
    Napi::Value mtu = changes.Get("mtu");
    if (!mtu.IsUndefined()) {
      uint32_t v;
      if (!Integer(env, mtu, "mtu", 68, 65535, v)) return env.Undefined();
      m.AttrU32(IFLA_MTU, v);
    }
    Napi::Value rename = changes.Get("name");
    if (!rename.IsUndefined()) {
      if (!IfName(env, rename, "new name", newName)) return env.Undefined();
      // Looked up by index: IFLA_IFNAME in the same message is then the new name.
      int index = 0;
      std::string extack;
      int err = Resolve(name, index, extack);
      if (err != 0) return Result(env, err, extack);
      ifinfomsg byIndex = ifi;
      byIndex.ifi_index = index;
      Message r(RTM_NEWLINK, NLM_F_ACK, &byIndex, sizeof byIndex);
      r.AttrString(IFLA_IFNAME, newName);
      if (!mtu.IsUndefined()) r.AttrU32(IFLA_MTU, mtu.As<Napi::Number>().Uint32Value());
      err = Transact(r, extack);
      return Result(env, err, extack);
    }
    std::string extack;
    int err = Transact(m, extack);
    if (err == ENODEV) extack = "Cannot find device \"" + name + "\"";
    return Result(env, err, extack);
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
    int err = Transact(m, extack);
    if (err == ENODEV) extack = "Cannot find device \"" + name + "\"";
    return Result(env, err, extack);
  }

  // address(op: "add"|"del", device, local, prefixLength, peer?): null or the kernel's error.
  Napi::Value Address(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int op = 0;
    std::string dev;
    in_addr local{}, peer{};
    uint32_t prefix;
    if (!Open(env) || !Op(env, info[0], false, op) || !IfName(env, info[1], "device", dev) ||
        !Ipv4(env, info[2], "local", local) || !Integer(env, info[3], "prefixLength", 0, 32, prefix))
      return env.Undefined();
    bool hasPeer = info.Length() > 4 && !info[4].IsUndefined();
    if (hasPeer && !Ipv4(env, info[4], "peer", peer)) return env.Undefined();
    int index = 0;
    std::string extack;
    int err = Resolve(dev, index, extack);
    if (err != 0) return Result(env, err, extack);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    ifa.ifa_prefixlen = static_cast<uint8_t>(prefix);
    ifa.ifa_index = static_cast<uint32_t>(index);
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    Message m(op == 0 ? RTM_NEWADDR : RTM_DELADDR, NLM_F_ACK | (op == 0 ? NLM_F_CREATE | NLM_F_EXCL : 0), &ifa, sizeof ifa);
    m.Attr(IFA_LOCAL, &local, sizeof local);
    m.Attr(IFA_ADDRESS, hasPeer ? &peer : &local, sizeof local);
    if (!hasPeer && prefix < 31) {
      // What `ip address add a/len` sets: the subnet's broadcast address.
      uint32_t mask = prefix == 0 ? 0 : htonl(~((1u << (32 - prefix)) - 1));
      in_addr brd{local.s_addr | ~mask};
      if (op == 0) m.Attr(IFA_BROADCAST, &brd, sizeof brd);
    }
    err = Transact(m, extack);
    return Result(env, err, extack);
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
      int err = Resolve(dev, index, extack);
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
    int err = Transact(m, extack);
    return Result(env, err, extack);
  }

  // ---- dumps -------------------------------------------------------------------------------

  struct DumpCtx {
    Napi::Env env;
    Napi::Array out;
    uint32_t n = 0;
  };

  static std::string Ip(const void* p) {
    char s[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, p, s, sizeof s);
    return s;
  }

  Napi::Value Dump(Napi::Env env, uint16_t type, const void* body, size_t len, OnMessage on) {
    if (!Open(env)) return env.Undefined();
    Message m(type, NLM_F_DUMP, body, len);
    if (type == RTM_GETLINK) m.AttrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    DumpCtx ctx{env, Napi::Array::New(env)};
    std::string extack;
    int err = Transact(m, extack, on, &ctx);
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
      auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
      Napi::Object o = Napi::Object::New(ctx.env);
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
            o.Set("mtu", *static_cast<const uint32_t*>(RTA_DATA(a)));
            break;
          case IFLA_OPERSTATE: {
            uint8_t s = *static_cast<const uint8_t*>(RTA_DATA(a));
            o.Set("operState", s < 7 ? kOper[s] : "UNKNOWN");
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
      ctx.out.Set(ctx.n++, o);
    });
  }

  // addresses(): IPv4 only, [{ifindex, local, prefixLength, peer?}]
  Napi::Value Addresses(const Napi::CallbackInfo& info) {
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    return Dump(info.Env(), RTM_GETADDR, &ifa, sizeof ifa, [](const nlmsghdr* h, void* c) {
      if (h->nlmsg_type != RTM_NEWADDR) return;
      auto& ctx = *static_cast<DumpCtx*>(c);
      auto* ifa = static_cast<const ifaddrmsg*>(NLMSG_DATA(h));
      if (ifa->ifa_family != AF_INET) return;
      const void *local = nullptr, *address = nullptr;
      int rem = static_cast<int>(IFA_PAYLOAD(h));
      for (auto* a = IFA_RTA(ifa); RTA_OK(a, rem); a = RTA_NEXT(a, rem)) {
        if (a->rta_type == IFA_LOCAL && RTA_PAYLOAD(a) == 4) local = RTA_DATA(a);
        if (a->rta_type == IFA_ADDRESS && RTA_PAYLOAD(a) == 4) address = RTA_DATA(a);
      }
      if (local == nullptr) local = address;
      if (local == nullptr) return;
      Napi::Object o = Napi::Object::New(ctx.env);
      o.Set("ifindex", ifa->ifa_index);
      o.Set("local", Ip(local));
      o.Set("prefixLength", ifa->ifa_prefixlen);
      if (address != nullptr && std::memcmp(address, local, 4) != 0) o.Set("peer", Ip(address));
      ctx.out.Set(ctx.n++, o);
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

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return info.Env().Undefined();
  }

  int fd_ = -1;
  uint32_t seq_ = 0;
};

void Init(Napi::Env env, Napi::Object exports) { exports.Set("Netlink", Netlink::Define(env)); }

const ModuleRegistration kRegistration("netlink", Init);

}  // namespace
}  // namespace pptp::net
