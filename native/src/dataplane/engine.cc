#include "engine.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "tcp_mss.h"
#include "wire.h"

namespace pptp::dataplane {
namespace {

constexpr int kBatch = 64;
constexpr size_t kRxSlot = 65536;  // any IPv4 datagram
// Room in front of a TUN packet for GRE (16) + PPP (4) + MPPE header (2) + inner protocol (2).
constexpr size_t kHeadroom = 32;
constexpr size_t kTxSlot = kHeadroom + 65536;
constexpr uint64_t kGreId = 0, kWakeId = 1;

double NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

uint64_t DemuxKey(uint16_t callId, uint32_t peer) { return (uint64_t(callId) << 32) | peer; }

sockaddr_in Peer(uint32_t address) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(address);
  return sin;
}

std::string ErrnoText(const char* what, int err) { return std::string(what) + ": " + std::strerror(err); }

}  // namespace

std::unique_ptr<Engine> Engine::Create(const EngineOptions& options, EventSink sink, std::string* error) {
  std::unique_ptr<Engine> e(new Engine(options, std::move(sink)));
  e->greFd_ = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_GRE);
  if (e->greFd_ < 0) {
    *error = ErrnoText("socket(AF_INET, SOCK_RAW, 47)", errno);
    return nullptr;
  }
  // A burst must wait in the socket rather than be lost: a loss costs stateful MPPE a CCP reset.
  int bufBytes = 4 << 20;
  if (::setsockopt(e->greFd_, SOL_SOCKET, SO_RCVBUFFORCE, &bufBytes, sizeof bufBytes) < 0)
    ::setsockopt(e->greFd_, SOL_SOCKET, SO_RCVBUF, &bufBytes, sizeof bufBytes);
  if (::setsockopt(e->greFd_, SOL_SOCKET, SO_SNDBUFFORCE, &bufBytes, sizeof bufBytes) < 0)
    ::setsockopt(e->greFd_, SOL_SOCKET, SO_SNDBUF, &bufBytes, sizeof bufBytes);
  if (options.bindAddress != 0) {
    sockaddr_in sin = Peer(options.bindAddress);
    if (::bind(e->greFd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin) < 0) {
      *error = ErrnoText("bind GRE socket", errno);
      return nullptr;
    }
  }
  e->epollFd_ = ::epoll_create1(EPOLL_CLOEXEC);
  e->wakeFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (e->epollFd_ < 0 || e->wakeFd_ < 0) {
    *error = ErrnoText("epoll/eventfd", errno);
    return nullptr;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kGreId;
  ::epoll_ctl(e->epollFd_, EPOLL_CTL_ADD, e->greFd_, &ev);
  ev.data.u64 = kWakeId;
  ::epoll_ctl(e->epollFd_, EPOLL_CTL_ADD, e->wakeFd_, &ev);
  e->rxPool_.resize(static_cast<size_t>(kBatch) * kRxSlot);
  e->txPool_.resize(static_cast<size_t>(kBatch) * kTxSlot);
  e->thread_ = std::thread([raw = e.get()] { raw->Run(); });
  return e;
}

Engine::~Engine() { Stop(); }

void Engine::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (wakeFd_ >= 0) {
    uint64_t one = 1;
    ssize_t w = ::write(wakeFd_, &one, sizeof one);
    (void)w;
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, s] : byId_) {
    if (s->tunFd >= 0) ::close(s->tunFd);
    s->tunFd = -1;
    Wipe(*s);
  }
  byId_.clear();
  byCallAndPeer_.clear();
  callIdUse_.clear();
  for (int* fd : {&greFd_, &epollFd_, &wakeFd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

// ---- control side (JavaScript thread) -----------------------------------------------------------

std::shared_ptr<Session> Engine::Open(uint16_t localCallId, uint16_t peerCallId, uint32_t peer,
                                      const std::string& tunName, std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) {
    *error = "data plane is closed";
    return nullptr;
  }
  if (byCallAndPeer_.count(DemuxKey(localCallId, peer))) {
    *error = "call ID " + std::to_string(localCallId) + " is already open for that peer";
    return nullptr;
  }
  if (tunName.size() >= IFNAMSIZ) {
    *error = "TUN name longer than 15 characters";
    return nullptr;
  }
  int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *error = ErrnoText("open /dev/net/tun", errno);
    return nullptr;
  }
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(ifr.ifr_name, tunName.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
    *error = ErrnoText("TUNSETIFF", errno);
    ::close(fd);
    return nullptr;
  }
  auto s = std::make_shared<Session>(options_.reorderWindow, options_.reorderTimeoutMs);
  s->id = nextId_++;
  s->localCallId = localCallId;
  s->peerCallId = peerCallId;
  s->peer = peer;
  s->tunName = ifr.ifr_name;  // the kernel may have expanded a "%d" pattern
  s->tunFd = fd;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = s->id;
  if (::epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
    *error = ErrnoText("epoll_ctl", errno);
    ::close(fd);
    return nullptr;
  }
  byId_[s->id] = s;
  byCallAndPeer_[DemuxKey(localCallId, peer)] = s.get();
  callIdUse_[localCallId]++;
  return s;
}

void Engine::Forget(Session& s) {
  if (!byId_.erase(s.id)) return;
  byCallAndPeer_.erase(DemuxKey(s.localCallId, s.peer));
  if (--callIdUse_[s.localCallId] == 0) callIdUse_.erase(s.localCallId);
}

void Engine::Close(Session& s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (s.tunFd >= 0) {
    if (epollFd_ >= 0) ::epoll_ctl(epollFd_, EPOLL_CTL_DEL, s.tunFd, nullptr);
    ::close(s.tunFd);  // the kernel deletes the (non-persistent) device
    s.tunFd = -1;
  }
  Wipe(s);
  Forget(s);
}

void Engine::Wipe(Session& s) {
  // The cipher state holds the start and session keys: wiped, not just freed.
  if (s.enc) explicit_bzero(s.enc.get(), sizeof *s.enc);
  if (s.dec) explicit_bzero(s.dec.get(), sizeof *s.dec);
  s.enc.reset();
  s.dec.reset();
}

void Engine::SetFraming(Session& s, bool acfc, bool pfc) {
  std::lock_guard<std::mutex> lock(mu_);
  s.acfc = acfc;
  s.pfc = pfc;
}

bool Engine::SetMppe(Session& s, const MppeConfig* send, const MppeConfig* receive) {
  std::unique_ptr<pptp_mppe_enc> enc;
  std::unique_ptr<pptp_mppe_dec> dec;
  if (send != nullptr && receive != nullptr) {
    enc.reset(new pptp_mppe_enc);
    dec.reset(new pptp_mppe_dec);
    if (pptp_mppe_enc_init(enc.get(), send->startKey, send->keyLength, send->bits, send->stateless) ||
        pptp_mppe_dec_init(dec.get(), receive->startKey, receive->keyLength, receive->bits, receive->stateless)) {
      explicit_bzero(enc.get(), sizeof *enc);
      explicit_bzero(dec.get(), sizeof *dec);
      return false;
    }
  } else if (send != nullptr || receive != nullptr) {
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  Wipe(s);
  s.enc = std::move(enc);
  s.dec = std::move(dec);
  s.resetReported = false;
  return true;
}

void Engine::ResetMppeSend(Session& s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (s.enc) pptp_mppe_enc_reset(s.enc.get());
}

void Engine::SetIpEnabled(Session& s, bool enabled) {
  std::lock_guard<std::mutex> lock(mu_);
  s.ipEnabled = enabled;
}

void Engine::SetMssClamp(Session& s, uint16_t maxMss) {
  std::lock_guard<std::mutex> lock(mu_);
  s.maxMss = maxMss;
}

bool Engine::SendControl(Session& s, uint16_t protocol, const uint8_t* information, size_t length) {
  std::lock_guard<std::mutex> lock(mu_);
  if (s.tunFd < 0 || greFd_ < 0) return false;
  // RFC 1661 sections 6.5/6.6: LCP always carries Address/Control and a 2-octet protocol.
  bool lcp = protocol == kPppLcp;
  std::vector<uint8_t> buf(kHeadroom + length);
  uint8_t* info = buf.data() + kHeadroom;
  if (length > 0) std::memcpy(info, information, length);
  uint8_t* frame = PutPppBefore(info, protocol, lcp ? false : s.acfc, lcp ? false : s.pfc);
  s.stats.Add(kControlTx);
  size_t packetLength;
  uint8_t* packet = WrapData(s, frame, length + static_cast<size_t>(info - frame), &packetLength);
  if (packet == nullptr) return false;
  return SendOne(s, packet, packetLength);
}

// ---- packet thread ------------------------------------------------------------------------------

void Engine::Run() {
  epoll_event events[kBatch];
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    int timeout = NextTimeoutMs(NowMs());
    lock.unlock();
    int n = ::epoll_wait(epollFd_, events, kBatch, timeout);
    lock.lock();
    if (stopping_) break;
    double now = NowMs();
    for (int i = 0; i < n; i++) {
      uint64_t id = events[i].data.u64;
      if (id == kGreId) {
        ReceiveGre(now);
      } else if (id == kWakeId) {
        uint64_t v;
        ssize_t r = ::read(wakeFd_, &v, sizeof v);
        (void)r;
      } else {
        auto it = byId_.find(static_cast<uint32_t>(id));
        // A session closed between epoll_wait and the lock has no entry any more.
        if (it != byId_.end()) ReadTun(*it->second);
      }
    }
    now = NowMs();
    for (auto& [id, s] : byId_) RunTimers(*s, now);
  }
}

int Engine::NextTimeoutMs(double now) {
  double next = -1;
  for (auto& [id, s] : byId_) {
    double d = s->window.NextDeadline();
    if (d >= 0 && (next < 0 || d < next)) next = d;
    if (s->ackDeadline >= 0 && (next < 0 || s->ackDeadline < next)) next = s->ackDeadline;
  }
  if (next < 0) return -1;
  double wait = std::ceil(next - now);
  return wait < 0 ? 0 : static_cast<int>(wait);
}

void Engine::RunTimers(Session& s, double now) {
  if (s.window.holding()) {
    double deadline = s.window.NextDeadline();
    if (deadline >= 0 && deadline <= now) {
      std::vector<Delivery> out;
      std::vector<std::vector<uint8_t>> keep;
      s.window.Expire(now, out, keep);
      Deliver(s, out);
      ArmAck(s, now);
    }
  }
  if (s.ackDeadline >= 0 && s.ackDeadline <= now) {
    s.ackDeadline = -1;
    if (!OwesAck(s) || s.tunFd < 0) return;
    // Nothing went out to carry the acknowledgement in time: send it alone (RFC 2637 4.2).
    uint8_t buf[16];
    uint32_t ack = s.window.lastDelivered();
    uint8_t* p = PutGreBefore(buf + 12, s.peerCallId, 0, false, 0, true, ack);
    s.ackSent = true;
    s.lastAckSent = ack;
    s.stats.Add(kAckOnlyTx);
    SendOne(s, p, 12);
  }
}

bool Engine::OwesAck(const Session& s) const {
  return s.window.started() && (!s.ackSent || s.lastAckSent != s.window.lastDelivered());
}

void Engine::ArmAck(Session& s, double now) {
  if (s.ackDeadline < 0 && OwesAck(s)) s.ackDeadline = now + options_.ackDelayMs;
}

void Engine::ReceiveGre(double now) {
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  for (int i = 0; i < kBatch; i++) {
    iov[i].iov_base = rxPool_.data() + static_cast<size_t>(i) * kRxSlot;
    iov[i].iov_len = kRxSlot;
    std::memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  int got;
  do {
    got = ::recvmmsg(greFd_, msgs, kBatch, MSG_DONTWAIT, nullptr);
  } while (got < 0 && errno == EINTR);
  for (int i = 0; i < got; i++) {
    uint8_t* p = static_cast<uint8_t*>(iov[i].iov_base);
    size_t len = msgs[i].msg_len;
    if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
    // The raw socket hands us the IPv4 header (RFC 791 3.1): source address, then skip IHL words.
    if (len < 20 || (p[0] >> 4) != 4) continue;
    size_t ihl = static_cast<size_t>(p[0] & 0x0f) * 4;
    if (ihl < 20 || ihl > len) continue;
    uint32_t src = Get32(p + 12);
    stats_.Add(kEpRxPackets);
    GreHeader h{};
    if (!ParseGre(p + ihl, len - ihl, &h)) {
      stats_.Add(kEpMalformedGre);
      continue;
    }
    auto it = byCallAndPeer_.find(DemuxKey(h.callId, src));
    if (it == byCallAndPeer_.end()) {
      stats_.Add(callIdUse_.count(h.callId) ? kEpWrongPeer : kEpUnknownCallId);
      continue;
    }
    Session& s = *it->second;
    if (!h.hasSeq) {
      // Ack-only: we keep no send window, so the acknowledgement needs no action; counted.
      s.stats.Add(kAckOnlyRx);
      continue;
    }
    s.stats.Add(kGreRxPackets);
    // Reused across packets: the in-order case then never allocates.
    rxOut_.clear();
    rxKeep_.clear();
    RxWindow::Drop drop = s.window.Receive(h.seq, h.payload, h.payloadLength, now, rxOut_, rxKeep_);
    if (drop == RxWindow::kDuplicate) s.stats.Add(kDropDuplicate);
    if (drop == RxWindow::kLate) s.stats.Add(kDropLate);
    Deliver(s, rxOut_);
    ArmAck(s, now);
  }
}

void Engine::Deliver(Session& s, std::vector<Delivery>& out) {
  // Every delivery points into our own receive slot or a held copy: writable, decrypted in place.
  for (Delivery& d : out) ProcessPpp(s, const_cast<uint8_t*>(d.data), d.len);
  s.stats.Set(kReordered, s.window.reordered());
  s.stats.Set(kLost, s.window.lost());
}

void Engine::ProcessPpp(Session& s, uint8_t* frame, size_t len) {
  uint16_t protocol;
  size_t at;
  if (!ParsePpp(frame, len, &protocol, &at)) return s.stats.Add(kDropMalformedPpp);
  switch (protocol) {
    case kPppIpv4:
      // RFC 3078 section 1: while MPPE is on, IPv4 in clear is refused.
      if (s.dec) return s.stats.Add(kDropUnencrypted);
      return DeliverIp(s, frame + at, len - at);
    case kPppCompressed:
      return ProcessMppe(s, frame + at, len - at);
    default:
      ControlUp(s, protocol, frame + at, len - at);
  }
}

void Engine::ProcessMppe(Session& s, uint8_t* packet, size_t len) {
  if (!s.dec) return s.stats.Add(kDropMppeNotNegotiated);
  size_t plainLength = 0;
  unsigned cc = 0;
  int r = pptp_mppe_decrypt(s.dec.get(), packet, len, packet + PPTP_MPPE_HEADER, &plainLength, &cc);
  if (r == PPTP_MPPE_NEEDS_RESET) {
    s.stats.Add(kDropMppeNeedsReset);
    // RFC 3078 section 8: one CCP Reset-Request per loss, not one per dropped packet.
    if (!s.resetReported) {
      s.resetReported = true;
      auto* ev = new Event{s.id, kEventMppeReset, 0, cc, {}};
      if (!sink_(ev)) {
        delete ev;
        stats_.Add(kEpControlQueueFull);
      }
    }
    return;
  }
  if (r != PPTP_MPPE_OK) return s.stats.Add(kDropMppeError);
  s.resetReported = false;
  uint8_t* plain = packet + PPTP_MPPE_HEADER;
  uint16_t protocol;
  size_t at;
  if (!ParsePpp(plain, plainLength, &protocol, &at)) return s.stats.Add(kDropMalformedPpp);
  if (protocol == kPppIpv4) return DeliverIp(s, plain + at, plainLength - at);
  ControlUp(s, protocol, plain + at, plainLength - at);
}

void Engine::ControlUp(Session& s, uint16_t protocol, const uint8_t* information, size_t length) {
  s.stats.Add(kControlRx);
  auto* ev = new Event{s.id, kEventControl, protocol, 0, std::vector<uint8_t>(information, information + length)};
  if (!sink_(ev)) {
    delete ev;
    stats_.Add(kEpControlQueueFull);
  }
}

void Engine::DeliverIp(Session& s, uint8_t* packet, size_t len) {
  if (!s.ipEnabled) return s.stats.Add(kDropIpDown);
  if (s.maxMss != 0) pptp_clamp_tcp_mss(packet, len, s.maxMss);
  ssize_t w;
  do {
    w = ::write(s.tunFd, packet, len);
  } while (w < 0 && errno == EINTR);
  if (w < 0) return s.stats.Add(kDropTunWrite);
  s.stats.Add(kRxPackets);
  s.stats.Add(kRxBytes, len);
}

uint8_t* Engine::WrapData(Session& s, uint8_t* frame, size_t frameLength, size_t* packetLength) {
  uint32_t seq = s.txSeq++;
  bool ack = OwesAck(s);
  uint32_t ackNumber = ack ? s.window.lastDelivered() : 0;
  if (ack) {
    s.ackSent = true;
    s.lastAckSent = ackNumber;
  }
  if (frameLength > 0xffff) {
    s.stats.Add(kDropInternalError);
    return nullptr;
  }
  uint8_t* p = PutGreBefore(frame, s.peerCallId, frameLength, true, seq, ack, ackNumber);
  *packetLength = frameLength + static_cast<size_t>(frame - p);
  s.stats.Add(kGreTxPackets);
  return p;
}

bool Engine::SendOne(Session& s, const uint8_t* packet, size_t length) {
  sockaddr_in sin = Peer(s.peer);
  ssize_t w;
  do {
    w = ::sendto(greFd_, packet, length, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  } while (w < 0 && errno == EINTR);
  if (w < 0) {
    s.stats.Add(kDropGreSend);
    return false;
  }
  return true;
}

void Engine::ReadTun(Session& s) {
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  sockaddr_in sin = Peer(s.peer);
  unsigned count = 0;
  for (int i = 0; i < kBatch && s.tunFd >= 0; i++) {
    uint8_t* slot = txPool_.data() + static_cast<size_t>(i) * kTxSlot;
    uint8_t* ip = slot + kHeadroom;
    ssize_t r = ::read(s.tunFd, ip, kTxSlot - kHeadroom);
    if (r < 0 && errno == EINTR) {
      i--;
      continue;
    }
    if (r <= 0) break;
    size_t len = static_cast<size_t>(r);
    if (len < 20 || (ip[0] >> 4) != 4) {
      s.stats.Add(kDropNotIpv4);
      continue;
    }
    if (!s.ipEnabled) {
      s.stats.Add(kDropIpDown);
      continue;
    }
    if (s.maxMss != 0) pptp_clamp_tcp_mss(ip, len, s.maxMss);
    uint8_t* frame;
    size_t frameLength;
    if (s.enc) {
      // Protocol field (PFC applies inside too) + datagram, encrypted as one (RFC 3078 section 3),
      // in place: the MPPE header lands in the two octets before the plain text.
      uint8_t* plain = PutPppBefore(ip, kPppIpv4, true, s.pfc);
      size_t plainLength = len + static_cast<size_t>(ip - plain);
      uint8_t* mppe = plain - PPTP_MPPE_HEADER;
      pptp_mppe_encrypt(s.enc.get(), plain, plainLength, mppe);
      frame = PutPppBefore(mppe, kPppCompressed, s.acfc, s.pfc);
      frameLength = plainLength + PPTP_MPPE_HEADER + static_cast<size_t>(mppe - frame);
    } else {
      frame = PutPppBefore(ip, kPppIpv4, s.acfc, s.pfc);
      frameLength = len + static_cast<size_t>(ip - frame);
    }
    size_t packetLength;
    uint8_t* packet = WrapData(s, frame, frameLength, &packetLength);
    if (packet == nullptr) continue;
    s.stats.Add(kTxPackets);
    s.stats.Add(kTxBytes, len);
    iov[count].iov_base = packet;
    iov[count].iov_len = packetLength;
    std::memset(&msgs[count], 0, sizeof msgs[count]);
    msgs[count].msg_hdr.msg_name = &sin;
    msgs[count].msg_hdr.msg_namelen = sizeof sin;
    msgs[count].msg_hdr.msg_iov = &iov[count];
    msgs[count].msg_hdr.msg_iovlen = 1;
    count++;
  }
  unsigned sent = 0;
  while (sent < count) {
    int r = ::sendmmsg(greFd_, msgs + sent, count - sent, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      s.stats.Add(kDropGreSend, count - sent);  // the rest is dropped, as a full queue drops
      break;
    }
    sent += static_cast<unsigned>(r);
  }
}

}  // namespace pptp::dataplane
