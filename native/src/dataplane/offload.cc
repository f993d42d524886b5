#include "offload.h"

#include <cstring>

#include "wire.h"

namespace pptp::dataplane {
namespace {

constexpr uint8_t kProtoTcp = 6, kProtoUdp = 17;
constexpr uint8_t kTcpFin = 0x01, kTcpPsh = 0x08, kTcpAck = 0x10, kTcpCwr = 0x80;

// The pseudo-header of RFC 793 section 3.1 for an IPv4 packet whose transport part is `length` long.
uint32_t PseudoHeader(const uint8_t* ip, size_t length) {
  uint32_t sum = ChecksumAdd(0, ip + 12, 8);
  return sum + kProtoTcp + static_cast<uint32_t>(length);
}

void SetIpv4Checksum(uint8_t* ip, size_t ihl) {
  Put16(ip + 10, 0);
  Put16(ip + 10, static_cast<uint16_t>(~ChecksumFold(ChecksumAdd(0, ip, ihl))));
}

bool Fragment(const uint8_t* ip) { return (Get16(ip + 6) & 0x3fff) != 0; }

}  // namespace

VnetHdr ReadVnetHdr(const uint8_t* p) {
  VnetHdr h;
  h.flags = p[0];
  h.gsoType = p[1];
  std::memcpy(&h.hdrLen, p + 2, 2);
  std::memcpy(&h.gsoSize, p + 4, 2);
  std::memcpy(&h.csumStart, p + 6, 2);
  std::memcpy(&h.csumOffset, p + 8, 2);
  return h;
}

void WriteVnetHdr(uint8_t* p, const VnetHdr& h) {
  p[0] = h.flags;
  p[1] = h.gsoType;
  std::memcpy(p + 2, &h.hdrLen, 2);
  std::memcpy(p + 4, &h.gsoSize, 2);
  std::memcpy(p + 6, &h.csumStart, 2);
  std::memcpy(p + 8, &h.csumOffset, 2);
}

uint32_t ChecksumAdd(uint32_t sum, const uint8_t* p, size_t len) {
  // 32-bit big-endian words: 2^32 = 1 modulo 0xffff, so the ones-complement sum of 16-bit words
  // is the end-around-carry sum of 32-bit words, in half the additions.
  uint64_t s = sum;
  for (; len >= 4; p += 4, len -= 4) s += Get32(p);
  if (len >= 2) {
    s += Get16(p);
    p += 2;
    len -= 2;
  }
  if (len) s += static_cast<uint32_t>(p[0]) << 8;
  while (s >> 32) s = (s & 0xffffffffu) + (s >> 32);
  return static_cast<uint32_t>(s);
}

uint16_t ChecksumFold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

bool CompleteChecksum(uint8_t* packet, size_t len, size_t start, size_t offset) {
  if (start >= len || offset + 2 > len - start) return false;
  uint16_t c = static_cast<uint16_t>(~ChecksumFold(ChecksumAdd(0, packet + start, len - start)));
  // UDP sends "no checksum" as 0, so a computed 0 goes out as all ones (RFC 768).
  if (c == 0 && len >= 20 && packet[9] == kProtoUdp) c = 0xffff;
  Put16(packet + start + offset, c);
  return true;
}

bool PlanTcp4(const uint8_t* p, size_t len, size_t gsoSize, Tcp4Plan* plan) {
  if (len < 40 || (p[0] >> 4) != 4 || p[9] != kProtoTcp || Fragment(p) || gsoSize == 0) return false;
  size_t ihl = static_cast<size_t>(p[0] & 0x0f) * 4;
  if (ihl < 20 || ihl + 20 > len) return false;
  size_t thl = static_cast<size_t>(p[ihl + 12] >> 4) * 4;
  if (thl < 20 || ihl + thl >= len) return false;
  plan->headerLength = ihl + thl;
  plan->mss = gsoSize;
  plan->payloadLength = len - plan->headerLength;
  plan->count = static_cast<unsigned>((plan->payloadLength + gsoSize - 1) / gsoSize);
  return true;
}

size_t WriteTcp4Segment(const uint8_t* p, const Tcp4Plan& plan, unsigned i, uint8_t* out) {
  size_t ihl = static_cast<size_t>(p[0] & 0x0f) * 4;
  size_t at = static_cast<size_t>(i) * plan.mss;
  size_t plen = plan.payloadLength - at < plan.mss ? plan.payloadLength - at : plan.mss;
  size_t hlen = plan.headerLength;
  std::memcpy(out, p, hlen);
  std::memcpy(out + hlen, p + hlen + at, plen);
  // What the kernel's own segmentation writes: IDs counted up, lengths, the sequence number
  // advanced, FIN/PSH only on the last segment, CWR only on the first.
  Put16(out + 2, static_cast<uint16_t>(hlen + plen));
  Put16(out + 4, static_cast<uint16_t>(Get16(p + 4) + i));
  SetIpv4Checksum(out, ihl);
  uint8_t* tcp = out + ihl;
  Put32(tcp + 4, Get32(p + ihl + 4) + static_cast<uint32_t>(at));
  if (i + 1 != plan.count) tcp[13] &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));
  if (i != 0) tcp[13] &= static_cast<uint8_t>(~kTcpCwr);
  size_t tcpLength = hlen - ihl + plen;
  Put16(tcp + 16, 0);
  Put16(tcp + 16, static_cast<uint16_t>(~ChecksumFold(ChecksumAdd(PseudoHeader(out, tcpLength), tcp, tcpLength))));
  return hlen + plen;
}

bool Coalescer::Mergeable(const uint8_t* p, size_t len, size_t hlen, size_t payload) const {
  const uint8_t* held = buf_ + kVnetHdrLen;
  if (closed_ || hlen != hlen_ || payload > mss_ || length_ + payload > kMax) return false;
  // IP: TOS, flags, TTL, protocol and both addresses the same; the ID one more than the last.
  if (p[1] != held[1] || (p[6] & 0xe0) != (held[6] & 0xe0) || p[8] != held[8] || std::memcmp(p + 12, held + 12, 8) != 0)
    return false;
  if (Get16(p + 4) != nextId_) return false;
  const uint8_t* t = p + 20;
  const uint8_t* ht = held + 20;
  // TCP: ports, acknowledgement, offset, window and every option byte equal (Linux GRO's rule);
  // the segment starts where the last one ended. PSH may differ (it ends the merge).
  if (std::memcmp(t, ht, 4) != 0 || Get32(t + 4) != nextSeq_ || std::memcmp(t + 8, ht + 8, 5) != 0 ||
      std::memcmp(t + 14, ht + 14, 2) != 0 || std::memcmp(t + 20, ht + 20, hlen - 40) != 0)
    return false;
  (void)len;
  return true;
}

bool Coalescer::Push(const uint8_t* p, size_t len) {
  // Only option-free IPv4 carrying TCP data with ACK (and PSH) set, unfragmented, checksums good.
  if (len < 40 || len > kMax || p[0] != 0x45 || p[9] != kProtoTcp || Fragment(p) || Get16(p + 2) != len) return false;
  const uint8_t* t = p + 20;
  size_t thl = static_cast<size_t>(t[12] >> 4) * 4;
  size_t hlen = 20 + thl;
  if (thl < 20 || hlen >= len) return false;
  if ((t[13] & ~kTcpPsh) != kTcpAck) return false;
  size_t payload = len - hlen;
  if (count_ > 0 && !Mergeable(p, len, hlen, payload)) return false;
  if (ChecksumFold(ChecksumAdd(0, p, 20)) != 0xffff) return false;
  if (ChecksumFold(ChecksumAdd(PseudoHeader(p, len - 20), t, len - 20)) != 0xffff) return false;
  uint8_t* held = buf_ + kVnetHdrLen;
  if (count_ == 0) {
    std::memcpy(held, p, len);
    length_ = len;
    hlen_ = hlen;
    mss_ = payload;
    closed_ = false;
  } else {
    std::memcpy(held + length_, p + hlen, payload);
    length_ += payload;
    held[33] |= t[13] & kTcpPsh;
  }
  count_++;
  nextSeq_ = Get32(t + 4) + static_cast<uint32_t>(payload);
  nextId_ = static_cast<uint16_t>(Get16(p + 4) + 1);
  if (payload < mss_ || (t[13] & kTcpPsh)) closed_ = true;
  return true;
}

const uint8_t* Coalescer::Take(size_t* length) {
  VnetHdr h{};
  uint8_t* held = buf_ + kVnetHdrLen;
  if (count_ > 1) {
    // One super-packet: the kernel re-segments it (forwarding) or takes it whole (local TCP). Its
    // TCP checksum is left partial (pseudo-header sum only), which is what NEEDS_CSUM means.
    Put16(held + 2, static_cast<uint16_t>(length_));
    SetIpv4Checksum(held, 20);
    Put16(held + 36, ChecksumFold(PseudoHeader(held, length_ - 20)));
    h.flags = kVnetNeedsCsum;
    h.gsoType = kVnetGsoTcp4;
    h.hdrLen = static_cast<uint16_t>(hlen_);
    h.gsoSize = static_cast<uint16_t>(mss_);
    h.csumStart = 20;
    h.csumOffset = 16;
  }
  WriteVnetHdr(buf_, h);
  *length = kVnetHdrLen + length_;
  count_ = 0;
  length_ = 0;
  return buf_;
}

}  // namespace pptp::dataplane
