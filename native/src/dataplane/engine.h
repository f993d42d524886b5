// The native data plane (ARCHITECTURE.md, packet plane): GRE raw sockets, the TUN device of
// every session and packet threads that move data between them without JavaScript. A thread
// owns the per-packet work: GRE receive in batches (recvmmsg), demultiplexing by call ID and
// peer, the receive window, PPP framing, MPPE in place, change-tcp-mss, TUN write (coalesced,
// offload.h); and the other way TUN read (large TCP segments split, offload.h), clamp, frame,
// encrypt, GRE header written into the room in front of the packet, one sendmmsg per batch. Only
// control frames (not IPv4, not MPPE data) and MPPE resync requests leave for JavaScript,
// through the EventSink.
//
// Workers: as many packet threads as cores by default. Tunnels are sharded by our call ID
// (call ID mod workers); each worker has its own raw GRE socket with a classic BPF filter that
// accepts only its share, so the kernel, not a dispatcher thread, hands each packet to the
// thread that owns its session (a raw socket otherwise gets a copy of every GRE packet).
//
// Locking: a worker holds its mu_ while it handles one batch; calls from JavaScript for a session
// (close, negotiation results, control frames down) take that worker's lock, so they wait at most
// one batch of one worker. Counters are atomics, read without any lock.
#pragma once
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../crypto/mppe.h"
#include "control_budget.h"
#include "counters.h"
#include "offload.h"
#include "rx_window.h"

namespace pptp::dataplane {

struct EngineOptions {
  uint32_t bindAddress = 0;  // host order; 0: any
  unsigned reorderWindow = 16;
  double reorderTimeoutMs = 30;
  double ackDelayMs = 10;
  unsigned workers = 0;    // 0: one per online CPU
  bool tunOffload = true;  // IFF_VNET_HDR + TSO/checksum offload where the kernel allows it
};

enum EventKind { kEventControl = 0, kEventMppeReset = 1 };

struct Event {
  uint32_t sessionId;
  EventKind kind;
  uint16_t protocol;
  unsigned coherencyCount;
  std::vector<uint8_t> information;
};

// Takes ownership of the event and returns true, or returns false (the caller drops it).
// Called from any worker thread.
using EventSink = std::function<bool(Event*)>;

struct MppeConfig {
  const uint8_t* startKey;
  size_t keyLength;
  unsigned bits;
  bool stateless;
};

// Offload figures per session (not part of SessionCounters: they describe the TUN mode, not
// what the tunnel carried).
enum OffloadCounter : unsigned { kTunGsoReads, kTunSegments, kTunCoalescedWrites, kTunCoalescedPackets, kOffloadCounterCount };

class Worker;

struct Session {
  Session(unsigned window, double timeoutMs) : window(window, timeoutMs) {}
  uint32_t id = 0;
  Worker* worker = nullptr;
  uint16_t localCallId = 0, peerCallId = 0;
  // False while a client waits for the Outgoing-Call-Reply: frames are received, nothing is sent.
  bool peerCallKnown = false;
  uint32_t peer = 0;  // host order
  uint32_t local = 0;  // host order; GRE leaves from it (0: the kernel picks)
  std::string tunName;
  int tunFd = -1;
  bool offload = false;  // the TUN fd speaks virtio_net_hdr
  bool acfc = false, pfc = false, ipEnabled = false;
  uint16_t maxMss = 0;  // 0: no clamp
  std::unique_ptr<pptp_mppe_enc> enc;
  std::unique_ptr<pptp_mppe_dec> dec;
  bool resetReported = false;
  uint32_t txSeq = 0;
  bool ackSent = false;
  uint32_t lastAckSent = 0;
  double ackDeadline = -1;
  RxWindow window;
  ControlBudget controlBudget;
  CounterSet<kSessionCounterCount> stats;
  CounterSet<kOffloadCounterCount> offloadStats;
};

// One packet thread with its own GRE socket, epoll set and buffers.
class Worker {
 public:
  Worker(const EngineOptions& options, const EventSink& sink, CounterSet<kEndpointCounterCount>& stats)
      : options_(options), sink_(sink), stats_(stats) {}
  ~Worker();
  // Opens the socket (filtered to call IDs with id % count == index when count > 1) and starts the thread.
  bool Start(unsigned index, unsigned count, std::string* error);
  void Stop();

  // peerCallId < 0: not known yet (SetPeerCallId names it).
  std::shared_ptr<Session> Open(uint32_t id, uint16_t localCallId, int32_t peerCallId, uint32_t peer, uint32_t local,
                                const std::string& tunName, std::string* error);
  void SetPeerCallId(Session& s, uint16_t peerCallId);
  // Takes the session out of the packet thread and returns its TUN fd for the caller to close
  // (-1 if already detached): closing it deletes the device, which can take the kernel tens of ms.
  int Detach(Session& s);
  void SetFraming(Session& s, bool acfc, bool pfc);
  void InstallMppe(Session& s, std::unique_ptr<pptp_mppe_enc> enc, std::unique_ptr<pptp_mppe_dec> dec);
  void ResetMppeSend(Session& s);
  void SetIpEnabled(Session& s, bool enabled);
  void SetMssClamp(Session& s, uint16_t maxMss);
  bool SendControl(Session& s, uint16_t protocol, const uint8_t* information, size_t length);
  bool SendData(Session& s, uint16_t protocol, const uint8_t* information, size_t length);

 private:
  void Run();
  int NextTimeoutMs(double now);
  void ReceiveGre(double now);
  void ProcessPpp(Session& s, uint8_t* frame, size_t len);
  void ProcessMppe(Session& s, uint8_t* packet, size_t len);
  void DeliverIp(Session& s, uint8_t* packet, size_t len);
  void WriteTun(Session& s, const uint8_t* data, size_t len, unsigned packets, uint64_t bytes, bool vnet);
  void FlushCoalesced();
  void ControlUp(Session& s, uint16_t protocol, const uint8_t* information, size_t length);
  void ReadTun(Session& s);
  // Frames one IP packet read from TUN (at slot + headroom) into the next send slot's message.
  void QueueTx(Session& s, uint8_t* ip, size_t len);
  // PPP-frames `len` octets at `payload` (headroom in front) as negotiated, encrypted while MPPE
  // is on; returns the frame's start and sets its length.
  uint8_t* FrameData(Session& s, uint8_t* payload, size_t len, uint16_t protocol, size_t* frameLength);
  void FlushTx(Session& s);
  void RunTimers(Session& s, double now);
  void Deliver(Session& s, std::vector<Delivery>& out);
  void ArmAck(Session& s, double now);
  bool OwesAck(const Session& s) const;
  // Puts the GRE header in front of a PPP frame (sequence number, any acknowledgement owed).
  // Returns the packet start, or null when the frame does not fit a GRE payload.
  uint8_t* WrapData(Session& s, uint8_t* frame, size_t frameLength, size_t* packetLength);
  bool SendOne(Session& s, const uint8_t* packet, size_t length);
  void Forget(Session& s);
  // Sends the control frames queued by SendControl, in order (under mu_).
  void SendPending();

  const EngineOptions& options_;
  const EventSink& sink_;
  CounterSet<kEndpointCounterCount>& stats_;
  int greFd_ = -1, epollFd_ = -1, wakeFd_ = -1;
  std::thread thread_;
  bool stopping_ = false;
  std::mutex mu_;
  // Control frames PPP-framed on the JavaScript thread, waiting for the packet thread to add
  // the GRE header and send them: the JavaScript thread neither waits for mu_ (held by the
  // packet thread while it works through a batch) nor pays for the send, in which the kernel
  // also delivers the packet to a local peer. Guarded by pendingMu_ only, never held long.
  struct PendingFrame {
    uint32_t sessionId;
    size_t start;  // where the PPP frame starts in buf (header room in front)
    std::vector<uint8_t> buf;
  };
  std::mutex pendingMu_;
  std::vector<PendingFrame> pending_;
  std::unordered_map<uint32_t, std::shared_ptr<Session>> byId_;
  // Sessions with a reorder-window or acknowledgement deadline: the packet thread's timer work
  // per wake-up is proportional to these, not to every open session (a thousand idle tunnels).
  std::unordered_set<Session*> timed_;
  std::unordered_map<uint64_t, Session*> byCallAndPeer_;
  std::unordered_map<uint16_t, unsigned> callIdUse_;
  // Receive and send buffers, reused for every batch (header room in front of TUN packets).
  std::vector<uint8_t> rxPool_, txPool_, tunRead_;
  std::vector<Delivery> rxOut_;
  std::vector<std::vector<uint8_t>> rxKeep_;
  // The send batch being built by ReadTun.
  std::vector<mmsghdr> txMsgs_;
  std::vector<iovec> txIov_;
  unsigned txCount_ = 0;
  // Receive coalescing: the packets held belong to groSession_ (flushed before the lock is let go).
  std::unique_ptr<Coalescer> gro_ = std::make_unique<Coalescer>();
  Session* groSession_ = nullptr;
  uint64_t groBytes_ = 0;
};

class Engine {
 public:
  // Opens the GRE sockets and starts the packet threads; null with *error set on failure.
  static std::unique_ptr<Engine> Create(const EngineOptions& options, EventSink sink, std::string* error);
  ~Engine();

  std::shared_ptr<Session> Open(uint16_t localCallId, int32_t peerCallId, uint32_t peer, uint32_t local,
                                const std::string& tunName, std::string* error);
  int Detach(Session& s);
  void SetPeerCallId(Session& s, uint16_t peerCallId);
  void SetFraming(Session& s, bool acfc, bool pfc);
  // Both null: MPPE off. Returns false (nothing changed) on a bad key length or bit count.
  bool SetMppe(Session& s, const MppeConfig* send, const MppeConfig* receive);
  void ResetMppeSend(Session& s);
  void SetIpEnabled(Session& s, bool enabled);
  void SetMssClamp(Session& s, uint16_t maxMss);
  bool SendControl(Session& s, uint16_t protocol, const uint8_t* information, size_t length);
  bool SendData(Session& s, uint16_t protocol, const uint8_t* information, size_t length);
  const CounterSet<kEndpointCounterCount>& counters() const { return stats_; }
  unsigned workers() const { return static_cast<unsigned>(workers_.size()); }
  // Stops the threads, closes every session and the sockets. Idempotent.
  void Stop();

  // The cipher state holds the start and session keys: wiped, not just freed.
  static void Wipe(Session& s);

 private:
  Engine(const EngineOptions& options, EventSink sink) : options_(options), sink_(std::move(sink)) {}

  EngineOptions options_;
  EventSink sink_;
  CounterSet<kEndpointCounterCount> stats_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex mu_;  // nextId_ and stopped_
  uint32_t nextId_ = 2;  // epoll ids 0 and 1 are a worker's GRE socket and wake-up eventfd
  bool stopped_ = false;
};

}  // namespace pptp::dataplane
