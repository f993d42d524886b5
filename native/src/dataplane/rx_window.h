// The receive side of enhanced GRE sequencing (RFC 2637 section 4.2), the same rules as
// src/dataplane/receive-window.ts (the oracle the differential tests compare against): packets
// leave in sequence order, duplicates and packets older than what was delivered are dropped, a
// small window holds early packets while a gap may fill, and a gap that does not fill within the
// timeout (or a jump past the window) is given up on and counted as lost.
//
// Spoofed GRE (issue 15): a packet more than maxJump from the window (either way) is not
// believed alone; it is dropped (counted as late), and only a run of kResyncRun such packets that
// follow one another (each at most `size` past the one before) moves the window, and only when
// nothing inside the window arrived for kResyncQuietMs (while the genuine stream flows, not even
// a crafted run can move it). One random
// sequence number can then no longer push the window out of step, and it is refused before any
// crypto is spent on it. The TypeScript oracle explains the choice at length.
//
// Pure: time comes in as an argument. The in-order packet is delivered in place (no copy); only
// a packet the window must hold is copied, so the common case never allocates.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace pptp::dataplane {

constexpr unsigned kGreMaxJump = 256;
constexpr unsigned kResyncRun = 3;
constexpr double kResyncQuietMs = 50;

inline int32_t SeqDiff(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b); }

struct Delivery {
  const uint8_t* data;
  size_t len;
};

class RxWindow {
 public:
  enum Drop { kNone = 0, kDuplicate, kLate };

  RxWindow(unsigned size, double timeoutMs, unsigned maxJump = kGreMaxJump)
      : size_(size), timeoutMs_(timeoutMs), maxJump_(std::max(maxJump, size)) {}

  bool started() const { return started_; }
  // The highest sequence number delivered in order (valid when started()).
  uint32_t lastDelivered() const { return expected_ - 1; }
  uint64_t reordered() const { return reordered_; }
  uint64_t lost() const { return lost_; }
  uint64_t outOfWindow() const { return outOfWindow_; }
  bool holding() const { return !held_.empty(); }

  // Appends what is now deliverable to out, in order. Held packets' bytes move to keep, which
  // the caller keeps alive until it has consumed out.
  Drop Receive(uint32_t seq, const uint8_t* data, size_t len, double now, std::vector<Delivery>& out,
               std::vector<std::vector<uint8_t>>& keep) {
    if (!started_) {
      // The first packet defines where the stream starts (RFC 2637 fixes no initial number).
      started_ = true;
      expected_ = seq;
      lastInWindowAt_ = now;
    }
    int32_t diff = SeqDiff(seq, expected_);
    if (diff > static_cast<int64_t>(maxJump_) || diff < -static_cast<int64_t>(maxJump_)) {
      if (!OutOfWindowRun(seq, now - lastInWindowAt_ >= kResyncQuietMs)) {
        outOfWindow_++;
        return kLate;
      }
      ResyncTo(seq, out, keep);
      Advance(out, {data, len}, true);
      DrainInOrder(out, keep);
      lastInWindowAt_ = now;
      return kNone;
    }
    candidateRun_ = 0;
    lastInWindowAt_ = now;
    if (diff < 0) {
      uint32_t idx = static_cast<uint32_t>(-static_cast<int64_t>(diff)) - 1;
      bool seen = idx < 32 && ((history_ >> idx) & 1u);
      return seen ? kDuplicate : kLate;
    }
    if (diff == 0) {
      Advance(out, {data, len}, true);
      DrainInOrder(out, keep);
      return kNone;
    }
    if (Find(seq) != held_.end()) return kDuplicate;
    if (static_cast<uint32_t>(diff) >= size_) {
      // Far ahead: everything up to it is presumed lost; deliver what we hold, then this one.
      GiveUpUntil(seq, out, keep);
      Advance(out, {data, len}, true);
      DrainInOrder(out, keep);
      return kNone;
    }
    held_.push_back(Held{seq, now, std::vector<uint8_t>(data, data + len)});
    if (held_.size() >= size_) SkipToOldestHeld(out, keep);
    return kNone;
  }

  // When the oldest held packet has waited its timeout; negative when nothing is held.
  double NextDeadline() const {
    double min = -1;
    for (const Held& h : held_)
      if (min < 0 || h.at < min) min = h.at;
    return min < 0 ? -1 : min + timeoutMs_;
  }

  void Expire(double now, std::vector<Delivery>& out, std::vector<std::vector<uint8_t>>& keep) {
    for (;;) {
      double deadline = NextDeadline();
      if (deadline < 0 || deadline > now) break;
      SkipToOldestHeld(out, keep);
    }
  }

 private:
  struct Held {
    uint32_t seq;
    double at;
    std::vector<uint8_t> bytes;
  };

  std::vector<Held>::iterator Find(uint32_t seq) {
    return std::find_if(held_.begin(), held_.end(), [seq](const Held& h) { return h.seq == seq; });
  }

  void Advance(std::vector<Delivery>& out, Delivery d, bool inOrder) {
    out.push_back(d);
    if (!inOrder) reordered_++;
    history_ = (history_ << 1) | 1u;
    expected_++;
  }

  void Release(std::vector<Held>::iterator it, std::vector<Delivery>& out,
               std::vector<std::vector<uint8_t>>& keep) {
    keep.push_back(std::move(it->bytes));
    held_.erase(it);
    Advance(out, {keep.back().data(), keep.back().size()}, false);
  }

  void DrainInOrder(std::vector<Delivery>& out, std::vector<std::vector<uint8_t>>& keep) {
    for (;;) {
      auto it = Find(expected_);
      if (it == held_.end()) return;
      Release(it, out, keep);
    }
  }

  void Skip(uint32_t gap) {
    lost_ += gap;
    history_ = gap >= 32 ? 0 : history_ << gap;
    expected_ += gap;
  }

  void SkipToOldestHeld(std::vector<Delivery>& out, std::vector<std::vector<uint8_t>>& keep) {
    if (held_.empty()) return;
    uint32_t lowest = held_[0].seq;
    for (const Held& h : held_)
      if (SeqDiff(h.seq, lowest) < 0) lowest = h.seq;
    Skip(static_cast<uint32_t>(SeqDiff(lowest, expected_)));
    DrainInOrder(out, keep);
  }

  bool OutOfWindowRun(uint32_t seq, bool quiet) {
    int32_t step = SeqDiff(seq, candidate_);
    bool follows = candidateRun_ > 0 && step > 0 && static_cast<uint32_t>(step) <= size_;
    candidateRun_ = follows ? std::min(candidateRun_ + 1, kResyncRun) : 1;
    candidate_ = seq;
    if (candidateRun_ < kResyncRun || !quiet) return false;
    candidateRun_ = 0;
    return true;
  }

  // The peer's stream is elsewhere: what is held goes out in order, then expected moves to seq.
  void ResyncTo(uint32_t seq, std::vector<Delivery>& out, std::vector<std::vector<uint8_t>>& keep) {
    if (SeqDiff(seq, expected_) > 0) {
      GiveUpUntil(seq, out, keep);  // held packets beyond seq are still ahead of it: they stay
      return;
    }
    std::sort(held_.begin(), held_.end(), [](const Held& a, const Held& b) { return SeqDiff(a.seq, b.seq) < 0; });
    for (Held& h : held_) {
      keep.push_back(std::move(h.bytes));
      out.push_back({keep.back().data(), keep.back().size()});
    }
    held_.clear();
    history_ = 0;
    expected_ = seq;
  }

  void GiveUpUntil(uint32_t seq, std::vector<Delivery>& out, std::vector<std::vector<uint8_t>>& keep) {
    std::vector<uint32_t> below;
    for (const Held& h : held_)
      if (SeqDiff(h.seq, seq) < 0) below.push_back(h.seq);
    std::sort(below.begin(), below.end(), [](uint32_t a, uint32_t b) { return SeqDiff(a, b) < 0; });
    for (uint32_t s : below) {
      Skip(static_cast<uint32_t>(SeqDiff(s, expected_)));
      Release(Find(s), out, keep);
    }
    Skip(static_cast<uint32_t>(SeqDiff(seq, expected_)));
  }

  unsigned size_;
  double timeoutMs_;
  unsigned maxJump_;
  uint32_t candidate_ = 0;  // last out-of-window sequence number of a possible run
  unsigned candidateRun_ = 0;
  double lastInWindowAt_ = 0;
  uint64_t outOfWindow_ = 0;
  bool started_ = false;
  uint32_t expected_ = 0;
  uint32_t history_ = 0;  // bit i: expected-1-i was delivered (duplicate detection)
  std::vector<Held> held_;
  uint64_t reordered_ = 0, lost_ = 0;
};

}  // namespace pptp::dataplane
