// TUN offloads (IFF_VNET_HDR, TUNSETOFFLOAD TUN_F_CSUM|TUN_F_TSO4), as the fastest userspace
// VPNs do them: the kernel hands us one large TCP segment instead of many MTU-sized ones and
// accepts one coalesced segment for many, so the per-packet system calls (the largest cost of
// the packet thread here, measured with perf) are paid once per ~45 packets.
//
// Pure functions on bytes: no fds, no state beyond the Coalescer's buffer.
//   Send (TUN -> GRE): CompleteChecksum for a packet the kernel left with a partial checksum;
//   PlanTcp4/WriteTcp4Segment split a TSO super-packet into MTU-sized packets, each a complete
//   IPv4/TCP packet with its own IP ID, length, sequence number and checksums (as the kernel's
//   own segmentation would write them).
//   Receive (GRE -> TUN): Coalescer merges consecutive in-order segments of one TCP flow into
//   one super-packet with a GSO header (checksums verified before merging: a corrupted packet is
//   never hidden inside a partial checksum).
#pragma once
#include <cstddef>
#include <cstdint>

namespace pptp::dataplane {

// struct virtio_net_hdr in host order (a TUN device uses the host's byte order by default).
struct VnetHdr {
  uint8_t flags;
  uint8_t gsoType;
  uint16_t hdrLen;
  uint16_t gsoSize;
  uint16_t csumStart;
  uint16_t csumOffset;
};
constexpr size_t kVnetHdrLen = 10;
constexpr uint8_t kVnetNeedsCsum = 1;
constexpr uint8_t kVnetGsoNone = 0, kVnetGsoTcp4 = 1, kVnetGsoEcn = 0x80;

VnetHdr ReadVnetHdr(const uint8_t* p);
void WriteVnetHdr(uint8_t* p, const VnetHdr& h);

// The Internet checksum's ones-complement sum (RFC 1071), not folded, not inverted.
uint32_t ChecksumAdd(uint32_t sum, const uint8_t* p, size_t len);
uint16_t ChecksumFold(uint32_t sum);

// VIRTIO_NET_HDR_F_NEEDS_CSUM: the field at start+offset holds the pseudo-header sum; the sum
// from start to the end completes it. False (packet untouched) when the offsets do not fit.
bool CompleteChecksum(uint8_t* packet, size_t len, size_t start, size_t offset);

struct Tcp4Plan {
  size_t headerLength;   // IPv4 + TCP header, repeated in front of every segment
  size_t mss;            // payload octets per segment (the last may carry fewer)
  size_t payloadLength;  // of the whole super-packet
  unsigned count;
};

// False for anything but a well-formed IPv4/TCP packet that gsoSize splits into at least one segment.
bool PlanTcp4(const uint8_t* packet, size_t len, size_t gsoSize, Tcp4Plan* plan);
// Writes segment i at out (headerLength + mss octets of room) and returns its length.
size_t WriteTcp4Segment(const uint8_t* packet, const Tcp4Plan& plan, unsigned i, uint8_t* out);

// Receive-side coalescing (GRO). Push packets in arrival order; it either keeps a packet (to be
// merged with the next ones) or says it must be written alone. Take() hands out the merged
// packet with its vnet header in front.
class Coalescer {
 public:
  static constexpr size_t kMax = 65535;
  // True: the packet is now held (copied). False: not held; if holding(), the caller writes
  // Take() first (order is kept) and pushes again, else it writes the packet alone.
  bool Push(const uint8_t* packet, size_t len);
  bool holding() const { return count_ > 0; }
  unsigned heldPackets() const { return count_; }
  // The held packet(s) as one write: vnet header + packet; *length set. Clears the state.
  const uint8_t* Take(size_t* length);

 private:
  bool Mergeable(const uint8_t* p, size_t len, size_t hlen, size_t payload) const;
  uint8_t buf_[kVnetHdrLen + kMax];
  unsigned count_ = 0;
  size_t length_ = 0;  // of the packet in buf_ after the vnet header
  size_t hlen_ = 0, mss_ = 0;
  uint32_t nextSeq_ = 0;
  uint16_t nextId_ = 0;
  bool closed_ = false;  // the last segment was short or carried PSH: nothing may follow it
};

}  // namespace pptp::dataplane
