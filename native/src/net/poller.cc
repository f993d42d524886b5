#include "poller.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <unistd.h>

namespace pptp::net {

Napi::Error ErrnoError(Napi::Env env, const char* what, int err) {
  std::string msg = std::string(what) + ": " + std::strerror(err);
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("errno", Napi::Number::New(env, err));
  return e;
}

FdPoller::~FdPoller() { CloseFd(); }

bool FdPoller::StartPolling(Napi::Env env, int fd, Napi::Function onBatch) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return false;
  env_ = env;
  fd_ = fd;
  onBatch_ = Napi::Persistent(onBatch);
  poll_ = new uv_poll_t;
  if (uv_poll_init(loop, poll_, fd) != 0) {
    delete poll_;
    poll_ = nullptr;
    return false;
  }
  poll_->data = this;
  uv_poll_start(poll_, UV_READABLE, OnReadable);
  return true;
}

void FdPoller::OnPollError(int) {}

void FdPoller::OnReadable(uv_poll_t* handle, int status, int) {
  auto* self = static_cast<FdPoller*>(handle->data);
  if (self == nullptr) return;
  if (status < 0) {
    self->OnPollError(status);
    return;
  }
  Napi::Env env = self->env_;
  Napi::HandleScope scope(env);
  std::vector<napi_value> args = self->ReadBatch(env);
  if (args.empty() || self->onBatch_.IsEmpty()) return;
  // MakeCallback so promise jobs queued by the handler run before we return to libuv.
  self->onBatch_.MakeCallback(env.Global(), args);
  // No JavaScript frame is below us to rethrow into: hand a throwing handler's exception to
  // process 'uncaughtException', as any other event-loop callback would.
  if (env.IsExceptionPending()) {
    Napi::Error err = env.GetAndClearPendingException();
    napi_fatal_exception(env, err.Value());
  }
}

void FdPoller::CloseFd() {
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!onBatch_.IsEmpty()) onBatch_.Reset();
}

}  // namespace pptp::net
