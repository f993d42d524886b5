// A non-blocking file descriptor watched by libuv (uv_poll) on Node's own loop: when the fd is
// readable, the subclass drains it in one batch (ReadBatch) and the batch goes to JavaScript in a
// single call. Nothing here blocks the event loop; a write that would block is dropped and
// counted, as a NIC drops on a full queue.
//
// This is the base the native batched fast path grows from: a later Session table can consume
// the batch in C (GRE -> PPP -> MPPE -> TUN) and hand JavaScript only control frames.
#pragma once
#include <napi.h>
#include <uv.h>

#include <cstdint>

namespace pptp::net {

class FdPoller {
 public:
  virtual ~FdPoller();

 protected:
  // Starts watching fd for readability; onBatch is called with whatever ReadBatch returns.
  bool StartPolling(Napi::Env env, int fd, Napi::Function onBatch);
  // Stops polling and closes the fd. Safe to call twice.
  void CloseFd();
  // Reads until EAGAIN or the batch is full; returns the JS arguments for the callback,
  // or an empty vector when there was nothing to deliver.
  virtual std::vector<napi_value> ReadBatch(Napi::Env env) = 0;
  // Called when polling reports an error or the fd is closed under us.
  virtual void OnPollError(int status);

  int fd_ = -1;
  Napi::FunctionReference onBatch_;
  Napi::Env env_ = nullptr;

 private:
  static void OnReadable(uv_poll_t* handle, int status, int events);
  uv_poll_t* poll_ = nullptr;
};

// Shared helper: a JS Error with errno text.
Napi::Error ErrnoError(Napi::Env env, const char* what, int err);

}  // namespace pptp::net
