// The native data plane (ARCHITECTURE.md, packet plane): one GRE raw socket, the TUN device of
// every session and a packet thread that moves data between them without JavaScript. The
// thread owns the per-packet work: GRE receive in batches (recvmmsg), demultiplexing by call ID
// and peer, the receive window, PPP framing, MPPE in place, change-tcp-mss, TUN write; and the
// other way TUN read, clamp, frame, encrypt, GRE header written into the room in front of the
// packet, one sendmmsg per batch. Only control frames (not IPv4, not MPPE data) and MPPE resync
// requests leave for JavaScript, through the EventSink.
//
// Locking: the packet thread holds mu_ while it handles one batch; calls from JavaScript (open,
// close, negotiation results, control frames down) take it too, so they wait at most one batch.
// Counters are atomics, read without the lock.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "../crypto/mppe.h"
#include "counters.h"
#include "rx_window.h"

namespace pptp::dataplane {

struct EngineOptions {
  uint32_t bindAddress = 0;  // host order; 0: any
  unsigned reorderWindow = 16;
  double reorderTimeoutMs = 30;
  double ackDelayMs = 10;
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
using EventSink = std::function<bool(Event*)>;

struct MppeConfig {
  const uint8_t* startKey;
  size_t keyLength;
  unsigned bits;
  bool stateless;
};

struct Session {
  Session(unsigned window, double timeoutMs) : window(window, timeoutMs) {}
  uint32_t id = 0;
  uint16_t localCallId = 0, peerCallId = 0;
  uint32_t peer = 0;  // host order
  std::string tunName;
  int tunFd = -1;
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
  CounterSet<kSessionCounterCount> stats;
};

class Engine {
 public:
  // Opens the GRE socket and starts the packet thread; null with *error set on failure.
  static std::unique_ptr<Engine> Create(const EngineOptions& options, EventSink sink, std::string* error);
  ~Engine();

  std::shared_ptr<Session> Open(uint16_t localCallId, uint16_t peerCallId, uint32_t peer, const std::string& tunName,
                                std::string* error);
  void Close(Session& s);
  void SetFraming(Session& s, bool acfc, bool pfc);
  // Both null: MPPE off. Returns false (nothing changed) on a bad key length or bit count.
  bool SetMppe(Session& s, const MppeConfig* send, const MppeConfig* receive);
  void ResetMppeSend(Session& s);
  void SetIpEnabled(Session& s, bool enabled);
  void SetMssClamp(Session& s, uint16_t maxMss);
  bool SendControl(Session& s, uint16_t protocol, const uint8_t* information, size_t length);
  const CounterSet<kEndpointCounterCount>& counters() const { return stats_; }
  // Stops the thread, closes every session and the socket. Idempotent.
  void Stop();

 private:
  Engine(const EngineOptions& options, EventSink sink) : options_(options), sink_(std::move(sink)) {}
  void Run();
  int NextTimeoutMs(double now);
  void ReceiveGre(double now);
  void ReceiveOnSession(Session& s, const uint8_t* gre, size_t len, double now);
  void ProcessPpp(Session& s, uint8_t* frame, size_t len);
  void ProcessMppe(Session& s, uint8_t* packet, size_t len);
  void DeliverIp(Session& s, uint8_t* packet, size_t len);
  void ControlUp(Session& s, uint16_t protocol, const uint8_t* information, size_t length);
  void ReadTun(Session& s);
  void RunTimers(Session& s, double now);
  void Deliver(Session& s, std::vector<Delivery>& out);
  void ArmAck(Session& s, double now);
  bool OwesAck(const Session& s) const;
  // Puts the GRE header in front of a PPP frame (sequence number, any acknowledgement owed).
  // Returns the packet start, or null when the frame does not fit a GRE payload.
  uint8_t* WrapData(Session& s, uint8_t* frame, size_t frameLength, size_t* packetLength);
  bool SendOne(Session& s, const uint8_t* packet, size_t length);
  void Forget(Session& s);
  static void Wipe(Session& s);

  EngineOptions options_;
  EventSink sink_;
  int greFd_ = -1, epollFd_ = -1, wakeFd_ = -1;
  std::thread thread_;
  bool stopping_ = false;
  std::mutex mu_;
  uint32_t nextId_ = 2;  // epoll ids 0 and 1 are the GRE socket and the wake-up eventfd
  std::unordered_map<uint32_t, std::shared_ptr<Session>> byId_;
  std::unordered_map<uint64_t, Session*> byCallAndPeer_;
  std::unordered_map<uint16_t, unsigned> callIdUse_;
  CounterSet<kEndpointCounterCount> stats_;
  // Receive and send buffers, reused for every batch (header room in front of TUN packets).
  std::vector<uint8_t> rxPool_, txPool_;
  std::vector<Delivery> rxOut_;
  std::vector<std::vector<uint8_t>> rxKeep_;
};

}  // namespace pptp::dataplane
