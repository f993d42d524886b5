// Enhanced GRE (RFC 2637 section 4.1) and PPP framing (RFC 1661 section 6.5/6.6) as the packet
// thread needs them: parse in place, write headers into the room in front of a payload. The
// rules are those of src/wire/gre.ts and src/wire/ppp-frame.ts.
#pragma once
#include <cstddef>
#include <cstdint>

namespace pptp::dataplane {

constexpr uint16_t kGreFlagC = 0x8000, kGreFlagR = 0x4000, kGreFlagK = 0x2000, kGreFlagS = 0x1000;
constexpr uint16_t kGreFlagA = 0x0080, kGreVersionMask = 0x0007, kGreVersion = 1;
constexpr uint16_t kGreProtocolPpp = 0x880b;
constexpr uint16_t kPppIpv4 = 0x0021, kPppCompressed = 0x00fd, kPppLcp = 0xc021;
constexpr uint16_t kPppBridged = 0x0031;  // RFC 3518 section 5
constexpr uint16_t kPppMultilink = 0x003d;  // RFC 1990 section 3

inline uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t Get32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
inline void Put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void Put32(uint8_t* p, uint32_t v) {
  Put16(p, static_cast<uint16_t>(v >> 16));
  Put16(p + 2, static_cast<uint16_t>(v));
}

struct GreHeader {
  uint16_t callId;
  bool hasSeq, hasAck;
  uint32_t seq, ack;
  const uint8_t* payload;  // exactly payloadLength bytes (link padding after it is ignored)
  size_t payloadLength;
};

// False for anything that is not a well-formed enhanced GRE header.
inline bool ParseGre(const uint8_t* p, size_t len, GreHeader* h) {
  if (len < 8) return false;
  uint16_t word = Get16(p);
  if ((word & kGreVersionMask) != kGreVersion) return false;
  if ((word & kGreFlagC) || (word & kGreFlagR) || !(word & kGreFlagK)) return false;
  if (Get16(p + 2) != kGreProtocolPpp) return false;
  h->payloadLength = Get16(p + 4);
  h->callId = Get16(p + 6);
  size_t at = 8;
  h->hasSeq = (word & kGreFlagS) != 0;
  h->hasAck = (word & kGreFlagA) != 0;
  if (h->hasSeq) {
    if (len - at < 4) return false;
    h->seq = Get32(p + at);
    at += 4;
  }
  if (h->hasAck) {
    if (len - at < 4) return false;
    h->ack = Get32(p + at);
    at += 4;
  }
  if (h->payloadLength > len - at) return false;
  if (!h->hasSeq && h->payloadLength > 0) return false;
  h->payload = p + at;
  return true;
}

inline size_t GreHeaderLength(bool seq, bool ack) { return 8 + (seq ? 4 : 0) + (ack ? 4 : 0); }

// Writes the header ending exactly at `end` (the payload follows); returns where it starts.
inline uint8_t* PutGreBefore(uint8_t* end, uint16_t callId, size_t payloadLength, bool seq, uint32_t sequence,
                             bool ack, uint32_t ackNumber) {
  uint8_t* p = end - GreHeaderLength(seq, ack);
  uint16_t word = kGreFlagK | kGreVersion | (seq ? kGreFlagS : 0) | (ack ? kGreFlagA : 0);
  Put16(p, word);
  Put16(p + 2, kGreProtocolPpp);
  Put16(p + 4, static_cast<uint16_t>(payloadLength));
  Put16(p + 6, callId);
  uint8_t* at = p + 8;
  if (seq) {
    Put32(at, sequence);
    at += 4;
  }
  if (ack) Put32(at, ackNumber);
  return p;
}

// Parses a PPP frame's address/control and protocol fields; false when malformed.
inline bool ParsePpp(const uint8_t* p, size_t len, uint16_t* protocol, size_t* infoOffset) {
  size_t at = 0;
  if (len >= 2 && p[0] == 0xff && p[1] == 0x03) at = 2;
  if (len <= at) return false;
  unsigned proto = p[at];
  if ((proto & 1) == 0) {
    if (len < at + 2) return false;
    proto = (proto << 8) | p[at + 1];
    if ((proto & 1) == 0) return false;
    at += 2;
  } else {
    at += 1;
  }
  *protocol = static_cast<uint16_t>(proto);
  *infoOffset = at;
  return true;
}

inline size_t PppHeaderLength(uint16_t protocol, bool acfc, bool pfc) {
  return (acfc ? 0 : 2) + (pfc && protocol < 0x100 ? 1 : 2);
}

// Writes address/control (unless acfc) and the protocol ending at `end`; returns the start.
inline uint8_t* PutPppBefore(uint8_t* end, uint16_t protocol, bool acfc, bool pfc) {
  uint8_t* p = end - PppHeaderLength(protocol, acfc, pfc);
  uint8_t* at = p;
  if (!acfc) {
    *at++ = 0xff;
    *at++ = 0x03;
  }
  if (pfc && protocol < 0x100) {
    *at = static_cast<uint8_t>(protocol);
  } else {
    Put16(at, protocol);
  }
  return p;
}

}  // namespace pptp::dataplane
