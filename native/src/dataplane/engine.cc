#include "engine.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "net/gre_source.h"
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
constexpr unsigned kMaxWorkers = 64;

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

// Worker `index` of `count` takes GRE whose call ID (IP header, then GRE octets 6-7) is index
// modulo count. A packet too short to hold a call ID goes to worker 0, which counts it malformed.
bool AttachShardFilter(int fd, unsigned index, unsigned count) {
  sock_filter code[] = {
      BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),  // X = IP header length
      BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
      BPF_STMT(BPF_ALU | BPF_SUB | BPF_X, 0),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 8, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, index == 0 ? 0xffffffffu : 0u),
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 6),
      BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, count),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, index, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
  return ::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0;
}

// A TUN device named `name`; with offload, IFF_VNET_HDR and TSO/checksum offload, else (or
// when the kernel refuses either) a plain one. Returns the fd or -1 with *error set.
int OpenTun(const std::string& name, bool offload, bool* offloaded, std::string* actualName, std::string* error) {
  for (bool tryOffload : {offload, false}) {
    if (!tryOffload && offload && *offloaded) break;
    int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      *error = ErrnoText("open /dev/net/tun", errno);
      return -1;
    }
    ifreq ifr{};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (tryOffload ? IFF_VNET_HDR : 0);
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
      int err = errno;
      ::close(fd);
      if (tryOffload) continue;
      *error = ErrnoText("TUNSETIFF", err);
      return -1;
    }
    if (tryOffload) {
      int hdr = static_cast<int>(kVnetHdrLen);
      unsigned features = TUN_F_CSUM | TUN_F_TSO4;
      if (::ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 || ::ioctl(fd, TUNSETOFFLOAD, features) < 0) {
        ::close(fd);  // the device goes with it; the plain one is made under the same name
        continue;
      }
    }
    *offloaded = tryOffload;
    *actualName = ifr.ifr_name;  // the kernel may have expanded a "%d" pattern
    return fd;
  }
  *error = "TUN device could not be opened";
  return -1;
}

}  // namespace


// ---- engine: the workers and the JavaScript-facing calls -------------------------------------

std::unique_ptr<Engine> Engine::Create(const EngineOptions& options, EventSink sink, std::string* error) {
  std::unique_ptr<Engine> e(new Engine(options, std::move(sink)));
  unsigned n = options.workers;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  n = std::min(n, kMaxWorkers);
  e->options_.workers = n;
  for (unsigned i = 0; i < n; i++) {
    e->workers_.push_back(std::make_unique<Worker>(e->options_, e->sink_, e->stats_));
    if (!e->workers_.back()->Start(i, n, error)) {
      e->Stop();
      return nullptr;
    }
  }
  return e;
}

Engine::~Engine() { Stop(); }

void Engine::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  for (auto& w : workers_) w->Stop();
}

std::shared_ptr<Session> Engine::Open(uint16_t localCallId, int32_t peerCallId, uint32_t peer, uint32_t local,
                                      const std::string& tunName, std::string* error) {
  uint32_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) {
      *error = "data plane is closed";
      return nullptr;
    }
    id = nextId_++;
  }
  if (tunName.size() >= IFNAMSIZ) {
    *error = "TUN name longer than 15 characters";
    return nullptr;
  }
  return workers_[localCallId % workers_.size()]->Open(id, localCallId, peerCallId, peer, local, tunName, error);
}

int Engine::Detach(Session& s) { return s.worker->Detach(s); }
void Engine::SetPeerCallId(Session& s, uint16_t peerCallId) { s.worker->SetPeerCallId(s, peerCallId); }
void Engine::SetFraming(Session& s, bool acfc, bool pfc) { s.worker->SetFraming(s, acfc, pfc); }
void Engine::ResetMppeSend(Session& s) { s.worker->ResetMppeSend(s); }
void Engine::SetIpEnabled(Session& s, bool enabled) { s.worker->SetIpEnabled(s, enabled); }
void Engine::SetMssClamp(Session& s, uint16_t maxMss) { s.worker->SetMssClamp(s, maxMss); }

// The limits of src/dataplane/multilink.ts: one packet of at most MRRU + 2 octets in at most 64
// fragments, given up 1 s after its first fragment.
constexpr unsigned kMpMaxFragments = 64;
constexpr uint64_t kMpReassemblyTimeoutMs = 1000;

MultilinkState::MultilinkState(size_t mtu, bool sendShort, bool receiveShort, size_t receiveMrru)
    : mtu(mtu), buffer(std::min<size_t>(receiveMrru + 2, PPTP_MP_MAX_PACKET)) {
  fragmenter.short_sequence = sendShort ? 1 : 0;
  pptp_mp_reassembler_init(&reassembler, receiveShort ? 1 : 0, buffer.data(), buffer.size(), kMpMaxFragments,
                           kMpReassemblyTimeoutMs);
}

void MultilinkState::SyncDrops() {
  for (unsigned i = 0; i < PPTP_MP_DROP_REASONS; i++) stats.Set(kMpDropLostFragment + i, reassembler.drops[i]);
}

void Engine::SetMultilink(Session& s, const MultilinkConfig* config) {
  std::unique_ptr<MultilinkState> mp;
  if (config != nullptr) {
    mp = std::make_unique<MultilinkState>(config->mtu, config->sendShortSequence, config->receiveShortSequence,
                                          config->receiveMrru);
  }
  s.worker->SetMultilink(s, std::move(mp));
}
bool Engine::SendControl(Session& s, uint16_t protocol, const uint8_t* information, size_t length) {
  return s.worker->SendControl(s, protocol, information, length);
}

bool Engine::SendData(Session& s, uint16_t protocol, const uint8_t* information, size_t length) {
  return s.worker->SendData(s, protocol, information, length);
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
  s.worker->InstallMppe(s, std::move(enc), std::move(dec));
  return true;
}

void Engine::Wipe(Session& s) {
  if (s.enc) explicit_bzero(s.enc.get(), sizeof *s.enc);
  if (s.dec) explicit_bzero(s.dec.get(), sizeof *s.dec);
  s.enc.reset();
  s.dec.reset();
}

// ---- worker: control side (JavaScript thread, under the worker's lock) ----------------------

bool Worker::Start(unsigned index, unsigned count, std::string* error) {
  greFd_ = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_GRE);
  if (greFd_ < 0) {
    *error = ErrnoText("socket(AF_INET, SOCK_RAW, 47)", errno);
    return false;
  }
  if (count > 1) {
    if (!AttachShardFilter(greFd_, index, count)) {
      *error = ErrnoText("SO_ATTACH_FILTER", errno);
      return false;
    }
    // Whatever arrived before the filter was in place may belong to another worker: dropped.
    uint8_t scratch[64];
    while (::recv(greFd_, scratch, sizeof scratch, MSG_DONTWAIT) >= 0) {
    }
  }
  // A burst must wait in the socket rather than be lost: a loss costs stateful MPPE a CCP reset.
  int bufBytes = 4 << 20;
  if (::setsockopt(greFd_, SOL_SOCKET, SO_RCVBUFFORCE, &bufBytes, sizeof bufBytes) < 0)
    ::setsockopt(greFd_, SOL_SOCKET, SO_RCVBUF, &bufBytes, sizeof bufBytes);
  if (::setsockopt(greFd_, SOL_SOCKET, SO_SNDBUFFORCE, &bufBytes, sizeof bufBytes) < 0)
    ::setsockopt(greFd_, SOL_SOCKET, SO_SNDBUF, &bufBytes, sizeof bufBytes);
  if (options_.bindAddress != 0) {
    sockaddr_in sin = Peer(options_.bindAddress);
    if (::bind(greFd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin) < 0) {
      *error = ErrnoText("bind GRE socket", errno);
      return false;
    }
  }
  epollFd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wakeFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epollFd_ < 0 || wakeFd_ < 0) {
    *error = ErrnoText("epoll/eventfd", errno);
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kGreId;
  ::epoll_ctl(epollFd_, EPOLL_CTL_ADD, greFd_, &ev);
  ev.data.u64 = kWakeId;
  ::epoll_ctl(epollFd_, EPOLL_CTL_ADD, wakeFd_, &ev);
  rxPool_.resize(static_cast<size_t>(kBatch) * kRxSlot);
  txPool_.resize(static_cast<size_t>(kBatch) * kTxSlot);
  tunRead_.resize(kVnetHdrLen + 65536);
  txMsgs_.resize(kBatch);
  txIov_.resize(kBatch);
  thread_ = std::thread([this] { Run(); });
  return true;
}

Worker::~Worker() { Stop(); }

void Worker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable() && greFd_ < 0) return;
    stopping_ = true;
  }
  if (wakeFd_ >= 0) {
    uint64_t one = 1;
    ssize_t w = ::write(wakeFd_, &one, sizeof one);
    (void)w;
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  if (greFd_ >= 0) SendPending();
  for (auto& [id, s] : byId_) {
    if (s->tunFd >= 0) ::close(s->tunFd);
    s->tunFd = -1;
    Engine::Wipe(*s);
  }
  timed_.clear();
  byId_.clear();
  byCallAndPeer_.clear();
  callIdUse_.clear();
  for (int* fd : {&greFd_, &epollFd_, &wakeFd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

std::shared_ptr<Session> Worker::Open(uint32_t id, uint16_t localCallId, int32_t peerCallId, uint32_t peer,
                                      uint32_t local, const std::string& tunName, std::string* error) {
  auto s = std::make_shared<Session>(options_.reorderWindow, options_.reorderTimeoutMs);
  s->id = id;
  s->worker = this;
  s->localCallId = localCallId;
  s->peerCallKnown = peerCallId >= 0;
  s->peerCallId = s->peerCallKnown ? static_cast<uint16_t>(peerCallId) : 0;
  s->peer = peer;
  s->local = local;
  s->tunName = tunName;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      *error = "data plane is closed";
      return nullptr;
    }
    if (byCallAndPeer_.count(DemuxKey(localCallId, peer))) {
      *error = "call ID " + std::to_string(localCallId) + " is already open for that peer";
      return nullptr;
    }
    // Demultiplexed from now on: the peer's first frames, which can arrive while the device is
    // being made, go up to the engine instead of being dropped as an unknown call. Nothing needs
    // the device before this returns (IP is not enabled yet).
    byId_[s->id] = s;
    byCallAndPeer_[DemuxKey(localCallId, peer)] = s.get();
    callIdUse_[localCallId]++;
  }
  // Made without the lock: creating a device waits for the kernel's RTNL lock, which another
  // process deleting devices can hold for tens of ms, and the packet thread must not wait too.
  bool offloaded = false;
  std::string name;
  int fd = OpenTun(tunName, options_.tunOffload, &offloaded, &name, error);
  std::lock_guard<std::mutex> lock(mu_);
  if (fd >= 0 && stopping_) {
    *error = "data plane is closed";
    ::close(fd);
    fd = -1;
  }
  if (fd >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = s->id;
    if (::epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
      *error = ErrnoText("epoll_ctl", errno);
      ::close(fd);
      fd = -1;
    }
  }
  if (fd < 0) {
    Forget(*s);
    return nullptr;
  }
  s->tunName = name;
  s->tunFd = fd;
  s->offload = offloaded;
  return s;
}

void Worker::Forget(Session& s) {
  timed_.erase(&s);
  if (!byId_.erase(s.id)) return;
  byCallAndPeer_.erase(DemuxKey(s.localCallId, s.peer));
  if (--callIdUse_[s.localCallId] == 0) callIdUse_.erase(s.localCallId);
}

int Worker::Detach(Session& s) {
  std::lock_guard<std::mutex> lock(mu_);
  SendPending();  // a Terminate-Ack sent just before the close still goes out
  int fd = s.tunFd;
  if (fd >= 0 && epollFd_ >= 0) ::epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr);
  s.tunFd = -1;
  Engine::Wipe(s);
  Forget(s);
  return fd;
}

void Worker::SetPeerCallId(Session& s, uint16_t peerCallId) {
  std::lock_guard<std::mutex> lock(mu_);
  if (s.peerCallKnown) return;
  s.peerCallId = peerCallId;
  s.peerCallKnown = true;
}

void Worker::SetFraming(Session& s, bool acfc, bool pfc) {
  std::lock_guard<std::mutex> lock(mu_);
  s.acfc = acfc;
  s.pfc = pfc;
}

void Worker::InstallMppe(Session& s, std::unique_ptr<pptp_mppe_enc> enc, std::unique_ptr<pptp_mppe_dec> dec) {
  std::lock_guard<std::mutex> lock(mu_);
  Engine::Wipe(s);
  s.enc = std::move(enc);
  s.dec = std::move(dec);
  s.resetReported = false;
}

void Worker::ResetMppeSend(Session& s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (s.enc) pptp_mppe_enc_reset(s.enc.get());
}

void Worker::SetIpEnabled(Session& s, bool enabled) {
  std::lock_guard<std::mutex> lock(mu_);
  s.ipEnabled = enabled;
}

void Worker::SetMssClamp(Session& s, uint16_t maxMss) {
  std::lock_guard<std::mutex> lock(mu_);
  s.maxMss = maxMss;
}

void Worker::SetMultilink(Session& s, std::unique_ptr<MultilinkState> mp) {
  std::lock_guard<std::mutex> lock(mu_);
  // A session left in timed_ for the old reassembly leaves it at the next round of timers.
  s.mp = std::move(mp);
}

// JavaScript thread. The fields read without mu_ (tunFd, peerCallKnown, acfc, pfc, greFd_) are
// written only by this thread, so they are what it last set: a frame is framed as negotiated at
// the moment it was sent, whenever the packet thread gets to it.
bool Worker::SendControl(Session& s, uint16_t protocol, const uint8_t* information, size_t length) {
  if (s.tunFd < 0 || greFd_ < 0 || !s.peerCallKnown) return false;
  if (length + 4 > 0xffff) return false;
  // RFC 1661 sections 6.5/6.6: LCP always carries Address/Control and a 2-octet protocol.
  bool lcp = protocol == kPppLcp;
  PendingFrame f{s.id, 0, std::vector<uint8_t>(kHeadroom + length)};
  uint8_t* info = f.buf.data() + kHeadroom;
  if (length > 0) std::memcpy(info, information, length);
  f.start = static_cast<size_t>(PutPppBefore(info, protocol, lcp ? false : s.acfc, lcp ? false : s.pfc) - f.buf.data());
  s.stats.Add(kControlTx);
  bool wake;
  {
    std::lock_guard<std::mutex> lock(pendingMu_);
    wake = pending_.empty();  // otherwise the packet thread has been woken for the queue already
    pending_.push_back(std::move(f));
  }
  if (wake) {
    uint64_t one = 1;
    ssize_t w = ::write(wakeFd_, &one, sizeof one);
    (void)w;
  }
  return true;
}

void Worker::SendPending() {
  std::vector<PendingFrame> batch;
  {
    std::lock_guard<std::mutex> lock(pendingMu_);
    if (pending_.empty()) return;
    batch.swap(pending_);
  }
  for (auto& f : batch) {
    auto it = byId_.find(f.sessionId);
    if (it == byId_.end()) continue;  // Detach sends a session's frames first: it was never open here
    Session& s = *it->second;
    size_t packetLength;
    uint8_t* packet = WrapData(s, f.buf.data() + f.start, f.buf.size() - f.start, &packetLength);
    if (packet != nullptr) SendOne(s, packet, packetLength);
  }
}

// A data frame of a protocol the packet thread does not carry itself (bridged Ethernet, RFC 3518):
// framed as negotiated and, while MPPE is on, encrypted as IPv4 is (RFC 3078 section 3). Under
// the worker's lock, so the encrypter's state never races the packet thread's.
bool Worker::SendData(Session& s, uint16_t protocol, const uint8_t* information, size_t length) {
  std::lock_guard<std::mutex> lock(mu_);
  if (s.tunFd < 0 || greFd_ < 0) return false;
  SendPending();  // the control frames sent before it go first
  std::vector<uint8_t> buf(kHeadroom + length);
  uint8_t* info = buf.data() + kHeadroom;
  if (length > 0) std::memcpy(info, information, length);
  size_t frameLength;
  uint8_t* frame = FrameData(s, info, length, protocol, &frameLength);
  s.stats.Add(kTxPackets);
  s.stats.Add(kTxBytes, length);
  unsigned count = FragmentCount(s, frameLength);
  if (count == 0) {
    size_t packetLength;
    uint8_t* packet = WrapData(s, frame, frameLength, &packetLength);
    return packet != nullptr && SendOne(s, packet, packetLength);
  }
  // Between batches (we hold mu_), so the batch's fragment buffers are free.
  Fragment(s, frame, frameLength, count);
  bool sent = true;
  for (auto& [fragment, fragmentLength] : mpFrames_) {
    size_t packetLength;
    uint8_t* packet = WrapData(s, fragment, fragmentLength, &packetLength);
    sent = packet != nullptr && SendOne(s, packet, packetLength) && sent;
  }
  mpTxUsed_ = 0;
  return sent;
}

unsigned Worker::FragmentCount(const Session& s, size_t frameLength) const {
  if (!s.mp) return 0;
  // What must fit the link is the frame without Address/Control (RFC 1990 section 3).
  size_t packetLength = frameLength - (s.acfc ? 0 : 2);
  if (packetLength <= s.mp->mtu) return 0;
  return pptp_mp_fragment_count(&s.mp->fragmenter, packetLength, s.mp->mtu);
}

void Worker::Fragment(Session& s, const uint8_t* frame, size_t frameLength, unsigned count) {
  MultilinkState& mp = *s.mp;
  const uint8_t* packet = frame + (s.acfc ? 0 : 2);
  size_t packetLength = frameLength - (s.acfc ? 0 : 2);
  size_t room = kHeadroom + pptp_mp_header_length(mp.fragmenter.short_sequence) + mp.mtu;
  mpFrames_.clear();
  for (unsigned i = 0; i < count; i++) {
    if (mpTxUsed_ == mpTx_.size()) mpTx_.emplace_back();
    std::vector<uint8_t>& buf = mpTx_[mpTxUsed_++];
    if (buf.size() < room) buf.resize(room);
    uint8_t* information = buf.data() + kHeadroom;
    size_t length = pptp_mp_fragment(&mp.fragmenter, packet, packetLength, i, count, information);
    uint8_t* start = PutPppBefore(information, kPppMultilink, s.acfc, s.pfc);
    mpFrames_.emplace_back(start, length + static_cast<size_t>(information - start));
  }
  mp.stats.Add(kMpFragmentsTx, count);
}

// ---- worker: packet thread ---------------------------------------------------------------------

void Worker::Run() {
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
    SendPending();
    now = NowMs();
    for (auto it = timed_.begin(); it != timed_.end();) {
      Session& s = **it;
      RunTimers(s, now);
      if (s.ackDeadline < 0 && !s.window.holding() && !(s.mp && s.mp->holding())) it = timed_.erase(it);
      else ++it;
    }
    FlushCoalesced();  // nothing held may outlive the lock: a session may close once it is let go
  }
}

int Worker::NextTimeoutMs(double now) {
  double next = -1;
  for (Session* s : timed_) {
    double d = s->window.NextDeadline();
    if (d >= 0 && (next < 0 || d < next)) next = d;
    if (s->ackDeadline >= 0 && (next < 0 || s->ackDeadline < next)) next = s->ackDeadline;
    if (s->mp && s->mp->holding() && (next < 0 || s->mp->deadline() < next)) next = s->mp->deadline();
  }
  if (next < 0) return -1;
  double wait = std::ceil(next - now);
  return wait < 0 ? 0 : static_cast<int>(wait);
}

void Worker::RunTimers(Session& s, double now) {
  if (s.mp && s.mp->holding() && s.mp->deadline() <= now) {
    pptp_mp_expire(&s.mp->reassembler, static_cast<uint64_t>(now));
    s.mp->SyncDrops();
  }
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
    if (!OwesAck(s) || s.tunFd < 0 || !s.peerCallKnown) return;
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

bool Worker::OwesAck(const Session& s) const {
  return s.window.started() && (!s.ackSent || s.lastAckSent != s.window.lastDelivered());
}

void Worker::ArmAck(Session& s, double now) {
  if (s.ackDeadline < 0 && OwesAck(s)) s.ackDeadline = now + options_.ackDelayMs;
}

void Worker::ReceiveGre(double now) {
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
    if (s.ackDeadline >= 0 || s.window.holding() || (s.mp && s.mp->holding())) timed_.insert(&s);
  }
  FlushCoalesced();
}

void Worker::Deliver(Session& s, std::vector<Delivery>& out) {
  // Every delivery points into our own receive slot or a held copy: writable, decrypted in place.
  for (Delivery& d : out) ProcessPpp(s, const_cast<uint8_t*>(d.data), d.len);
  s.stats.Set(kReordered, s.window.reordered());
  s.stats.Set(kLost, s.window.lost());
}

void Worker::ProcessPpp(Session& s, uint8_t* frame, size_t len, bool reassembled) {
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
    case kPppMultilink:
      // Fragments are reassembled first, MPPE comes after (RFC 1990 over RFC 3078).
      if (!s.mp) return ControlUp(s, protocol, frame + at, len - at);
      if (reassembled) return s.stats.Add(kDropMalformedPpp);  // MP inside MP
      return ReceiveFragment(s, frame + at, len - at);
    case kPppBridged:
      // Bridged LAN frames (RFC 3518) are data: in clear only while MPPE is off.
      if (s.dec) return s.stats.Add(kDropUnencrypted);
      return ControlUp(s, protocol, frame + at, len - at);
    default:
      ControlUp(s, protocol, frame + at, len - at);
  }
}

void Worker::ReceiveFragment(Session& s, const uint8_t* information, size_t len) {
  MultilinkState& mp = *s.mp;
  mp.stats.Add(kMpFragmentsRx);
  size_t n = pptp_mp_receive(&mp.reassembler, information, len, static_cast<uint64_t>(NowMs()));
  mp.SyncDrops();
  if (n == 0) return;
  mp.stats.Add(kMpReassembled);
  // The reassembled packet is ours to decrypt in place; what leaves for TUN is written or copied
  // (coalesced) before the next fragment can overwrite it.
  ProcessPpp(s, mp.buffer.data(), n, true);
}

void Worker::ProcessMppe(Session& s, uint8_t* packet, size_t len) {
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

void Worker::ControlUp(Session& s, uint16_t protocol, const uint8_t* information, size_t length) {
  // Bridged frames are data (counted by their sender's rate, not as control frames).
  if (protocol != kPppBridged && !s.controlBudget.Take(NowMs())) return s.stats.Add(kDropControlRate);
  s.stats.Add(kControlRx);
  auto* ev = new Event{s.id, kEventControl, protocol, 0, std::vector<uint8_t>(information, information + length)};
  if (!sink_(ev)) {
    delete ev;
    stats_.Add(kEpControlQueueFull);
  }
}

void Worker::DeliverIp(Session& s, uint8_t* packet, size_t len) {
  if (!s.ipEnabled) return s.stats.Add(kDropIpDown);
  if (s.maxMss != 0) pptp_clamp_tcp_mss(packet, len, s.maxMss);
  if (!s.offload) return WriteTun(s, packet, len, 1, len, false);
  // Consecutive segments of one TCP flow go to the kernel as one write (offload.h).
  if (groSession_ != &s) FlushCoalesced();
  if (gro_->Push(packet, len)) {
    groSession_ = &s;
    groBytes_ += len;
    return;
  }
  if (gro_->holding()) {
    FlushCoalesced();
    if (gro_->Push(packet, len)) {
      groSession_ = &s;
      groBytes_ += len;
      return;
    }
  }
  WriteTun(s, packet, len, 1, len, true);
}

void Worker::FlushCoalesced() {
  if (!gro_->holding()) return;
  Session& s = *groSession_;
  unsigned packets = gro_->heldPackets();
  size_t length;
  const uint8_t* data = gro_->Take(&length);
  if (packets > 1) {
    s.offloadStats.Add(kTunCoalescedWrites);
    s.offloadStats.Add(kTunCoalescedPackets, packets);
  }
  WriteTun(s, data, length, packets, groBytes_, false);
  groBytes_ = 0;
  groSession_ = nullptr;
}

// vnet: `data` is a bare IP packet that needs an empty virtio_net_hdr in front.
void Worker::WriteTun(Session& s, const uint8_t* data, size_t len, unsigned packets, uint64_t bytes, bool vnet) {
  static const uint8_t kNoOffload[kVnetHdrLen] = {};
  iovec iov[2];
  int n = 0;
  if (vnet) iov[n++] = {const_cast<uint8_t*>(kNoOffload), kVnetHdrLen};
  iov[n++] = {const_cast<uint8_t*>(data), len};
  ssize_t w;
  do {
    w = ::writev(s.tunFd, iov, n);
  } while (w < 0 && errno == EINTR);
  if (w < 0) return s.stats.Add(kDropTunWrite, packets);
  s.stats.Add(kRxPackets, packets);
  s.stats.Add(kRxBytes, bytes);
}

uint8_t* Worker::WrapData(Session& s, uint8_t* frame, size_t frameLength, size_t* packetLength) {
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

bool Worker::SendOne(Session& s, const uint8_t* packet, size_t length) {
  sockaddr_in sin = Peer(s.peer);
  iovec iov{const_cast<uint8_t*>(packet), length};
  msghdr message{};
  message.msg_name = &sin;
  message.msg_namelen = sizeof sin;
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  net::GreSource source;
  net::SetGreSource(&message, &source, s.local);
  ssize_t w;
  do {
    w = ::sendmsg(greFd_, &message, MSG_DONTWAIT);
  } while (w < 0 && errno == EINTR);
  if (w < 0) {
    s.stats.Add(kDropGreSend);
    return false;
  }
  return true;
}

uint8_t* Worker::FrameData(Session& s, uint8_t* payload, size_t len, uint16_t protocol, size_t* frameLength) {
  if (!s.enc) {
    uint8_t* frame = PutPppBefore(payload, protocol, s.acfc, s.pfc);
    *frameLength = len + static_cast<size_t>(payload - frame);
    return frame;
  }
  // Protocol field (PFC applies inside too) + payload, encrypted as one (RFC 3078 section 3),
  // in place: the MPPE header lands in the two octets before the plain text.
  uint8_t* plain = PutPppBefore(payload, protocol, true, s.pfc);
  size_t plainLength = len + static_cast<size_t>(payload - plain);
  uint8_t* mppe = plain - PPTP_MPPE_HEADER;
  pptp_mppe_encrypt(s.enc.get(), plain, plainLength, mppe);
  uint8_t* frame = PutPppBefore(mppe, kPppCompressed, s.acfc, s.pfc);
  *frameLength = plainLength + PPTP_MPPE_HEADER + static_cast<size_t>(mppe - frame);
  return frame;
}

void Worker::QueueTx(Session& s, uint8_t* ip, size_t len) {
  if (len < 20 || (ip[0] >> 4) != 4) return s.stats.Add(kDropNotIpv4);
  if (!s.ipEnabled) return s.stats.Add(kDropIpDown);
  if (s.maxMss != 0) pptp_clamp_tcp_mss(ip, len, s.maxMss);
  size_t frameLength;
  uint8_t* frame = FrameData(s, ip, len, kPppIpv4, &frameLength);
  unsigned count = FragmentCount(s, frameLength);
  if (count == 0) {
    size_t packetLength;
    uint8_t* packet = WrapData(s, frame, frameLength, &packetLength);
    if (packet == nullptr) return;
    QueuePacket(packet, packetLength);
  } else {
    // Room for every fragment in this batch; the frame itself stays where it is (its slot).
    if (txCount_ + count > txIov_.size()) FlushTx(s);
    if (count > txIov_.size()) {
      txIov_.resize(count);
      txMsgs_.resize(count);
    }
    Fragment(s, frame, frameLength, count);
    for (auto& [fragment, fragmentLength] : mpFrames_) {
      size_t packetLength;
      uint8_t* packet = WrapData(s, fragment, fragmentLength, &packetLength);
      if (packet != nullptr) QueuePacket(packet, packetLength);
    }
  }
  s.stats.Add(kTxPackets);
  s.stats.Add(kTxBytes, len);
}

void Worker::QueuePacket(uint8_t* packet, size_t length) {
  txIov_[txCount_].iov_base = packet;
  txIov_[txCount_].iov_len = length;
  txCount_++;
}

void Worker::FlushTx(Session& s) {
  sockaddr_in sin = Peer(s.peer);
  net::GreSource source;
  for (unsigned i = 0; i < txCount_; i++) {
    std::memset(&txMsgs_[i], 0, sizeof txMsgs_[i]);
    txMsgs_[i].msg_hdr.msg_name = &sin;
    txMsgs_[i].msg_hdr.msg_namelen = sizeof sin;
    txMsgs_[i].msg_hdr.msg_iov = &txIov_[i];
    txMsgs_[i].msg_hdr.msg_iovlen = 1;
    net::SetGreSource(&txMsgs_[i].msg_hdr, &source, s.local);
  }
  unsigned sent = 0;
  while (sent < txCount_) {
    int r = ::sendmmsg(greFd_, txMsgs_.data() + sent, txCount_ - sent, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      s.stats.Add(kDropGreSend, txCount_ - sent);  // the rest is dropped, as a full queue drops
      break;
    }
    sent += static_cast<unsigned>(r);
  }
  txCount_ = 0;
  mpTxUsed_ = 0;
}

void Worker::ReadTun(Session& s) {
  txCount_ = 0;
  auto slot = [this](unsigned i) { return txPool_.data() + static_cast<size_t>(i) * kTxSlot + kHeadroom; };
  for (int reads = 0; reads < kBatch && s.tunFd >= 0; reads++) {
    // MP fragments can take the batch past kBatch messages; a TUN packet needs a slot below it.
    if (txCount_ >= static_cast<unsigned>(kBatch)) FlushTx(s);
    if (!s.offload) {
      uint8_t* ip = slot(txCount_);
      ssize_t r = ::read(s.tunFd, ip, kTxSlot - kHeadroom);
      if (r < 0 && errno == EINTR) {
        reads--;
        continue;
      }
      if (r <= 0) break;
      QueueTx(s, ip, static_cast<size_t>(r));
      continue;
    }
    ssize_t r = ::read(s.tunFd, tunRead_.data(), tunRead_.size());
    if (r < 0 && errno == EINTR) {
      reads--;
      continue;
    }
    if (r <= 0) break;
    if (static_cast<size_t>(r) < kVnetHdrLen) continue;
    VnetHdr h = ReadVnetHdr(tunRead_.data());
    uint8_t* ip = tunRead_.data() + kVnetHdrLen;
    size_t len = static_cast<size_t>(r) - kVnetHdrLen;
    if ((h.gsoType & ~kVnetGsoEcn) == kVnetGsoNone) {
      if ((h.flags & kVnetNeedsCsum) && !CompleteChecksum(ip, len, h.csumStart, h.csumOffset)) {
        s.stats.Add(kDropInternalError);
        continue;
      }
      std::memcpy(slot(txCount_), ip, len);
      QueueTx(s, slot(txCount_), len);
      continue;
    }
    // A large TCP segment: split into packets of gso_size payload, each framed and encrypted on its own.
    Tcp4Plan plan;
    if ((h.gsoType & ~kVnetGsoEcn) != kVnetGsoTcp4 || !PlanTcp4(ip, len, h.gsoSize, &plan) ||
        plan.headerLength + plan.mss > kTxSlot - kHeadroom) {
      s.stats.Add(kDropNotIpv4);
      continue;
    }
    s.offloadStats.Add(kTunGsoReads);
    s.offloadStats.Add(kTunSegments, plan.count);
    for (unsigned i = 0; i < plan.count; i++) {
      if (txCount_ >= static_cast<unsigned>(kBatch)) FlushTx(s);
      size_t segment = WriteTcp4Segment(ip, plan, i, slot(txCount_));
      QueueTx(s, slot(txCount_), segment);
    }
  }
  FlushTx(s);
}

}  // namespace pptp::dataplane
