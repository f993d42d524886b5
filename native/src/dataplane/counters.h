// Counters the packet thread bumps and JavaScript reads at any moment without stopping it
// (relaxed atomics: each number is exact, a snapshot of several is not a transaction). The order
// is the layout of the Float64Array src/dataplane/native.ts turns back into SessionCounters.
#pragma once
#include <atomic>
#include <cstdint>

namespace pptp::dataplane {

enum SessionCounter : unsigned {
  kRxPackets, kRxBytes, kTxPackets, kTxBytes, kGreRxPackets, kGreTxPackets, kAckOnlyRx, kAckOnlyTx,
  kControlRx, kControlTx, kReordered, kLost,
  kDropDuplicate, kDropLate, kDropMalformedPpp, kDropUnencrypted, kDropMppeNotNegotiated,
  kDropMppeNeedsReset, kDropMppeError, kDropIpDown, kDropNotIpv4, kDropTunWrite, kDropGreSend,
  kDropInternalError, kDropControlRate,
  kSessionCounterCount
};

// Multilink over the link (engine.h MultilinkState), in the order of src/dataplane/native.ts.
enum MultilinkCounter : unsigned {
  kMpFragmentsTx, kMpFragmentsRx, kMpReassembled,
  kMpDropLostFragment, kMpDropTooLong, kMpDropTimeout, kMpDropMalformed,
  kMultilinkCounterCount
};

enum EndpointCounter : unsigned {
  kEpRxPackets, kEpUnknownCallId, kEpWrongPeer, kEpMalformedGre, kEpControlQueueFull,
  kEndpointCounterCount
};

template <unsigned N>
struct CounterSet {
  std::atomic<uint64_t> v[N] = {};
  void Add(unsigned i, uint64_t n = 1) { v[i].fetch_add(n, std::memory_order_relaxed); }
  void Set(unsigned i, uint64_t n) { v[i].store(n, std::memory_order_relaxed); }
  uint64_t Get(unsigned i) const { return v[i].load(std::memory_order_relaxed); }
};

}  // namespace pptp::dataplane
