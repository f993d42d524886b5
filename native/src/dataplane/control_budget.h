// How many control frames (LCP, authentication, NCPs, unknown protocols) one session may hand to
// JavaScript: a token bucket of kControlBurst frames, refilled at kControlPerSecond. A genuine
// peer negotiates with a few dozen frames and then sends an Echo-Request every few seconds; a
// peer that storms (thousands of Configure- or Echo-Requests a second, issue 15) has the excess
// dropped here, on the packet thread, before it costs the JavaScript thread anything or crowds
// other sessions' frames out of the shared event queue. The TypeScript data plane mirrors it
// (src/dataplane/control-budget.ts).
#pragma once

namespace pptp::dataplane {

constexpr double kControlBurst = 64;
constexpr double kControlPerSecond = 32;

struct ControlBudget {
  double tokens = kControlBurst;
  double atMs = -1;

  bool Take(double nowMs) {
    if (atMs >= 0 && nowMs > atMs) {
      tokens += (nowMs - atMs) * kControlPerSecond / 1000;
      if (tokens > kControlBurst) tokens = kControlBurst;
    }
    atMs = nowMs;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }
};

}  // namespace pptp::dataplane
