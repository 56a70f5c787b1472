// Threads: the JS thread of its environment (the main thread or a worker's).
//
// Per-environment state: every environment that loads the addon (the main thread
// and each worker_thread) gets its own COM pool, promise bridge, event sink,
// callback object, wrapper constructors and error classes. The BITS callback
// object is owned here but only forward-declared: the runtime knows it as an
// object to release.
#pragma once

#include <napi.h>

#include <memory>

#include "runtime/closable.h"
#include "runtime/com_thread_pool.h"
#include "runtime/event_sink.h"
#include "runtime/promise_bridge.h"
#include "runtime/value.h"

class NotifyCallback;

class AddonState {
 public:
  explicit AddonState(Napi::Env env);
  ~AddonState();

  static AddonState* From(Napi::Env env) { return env.GetInstanceData<AddonState>(); }

  // Stops the pool and drops what is queued. Safe to call twice.
  void Shutdown();

  Napi::Value Schedule(Napi::Env env, std::string method, Work work, uint64_t key = 0, bool shared = false) {
    return bridge_->Schedule(env, std::move(method), std::move(work), key, shared);
  }
  PromiseBridge& bridge() { return *bridge_; }
  const std::shared_ptr<ComThreadPool>& pool() const { return pool_; }

  // Notifications: one sink and one callback object for every job.
  const std::shared_ptr<EventSink>& events() const { return events_; }
  NotifyCallback* callback() const { return callback_; }
  // Objects that BITS may call after this environment is gone (validators).
  const std::shared_ptr<ClosableSet>& closables() const { return closables_; }

  Napi::FunctionReference managerCtor;
  Napi::FunctionReference jobCtor;
  Napi::FunctionReference fileCtor;
  // setErrorClasses(BitsError, ObjectClosedError); empty for raw use of the addon.
  Napi::FunctionReference bitsErrorClass;
  Napi::FunctionReference closedErrorClass;

  Napi::Value HandleToJs(Napi::Env env, const NativeHandle& h);

 private:
  std::shared_ptr<ComThreadPool> pool_;
  std::unique_ptr<PromiseBridge> bridge_;
  std::shared_ptr<EventSink> events_;
  std::shared_ptr<ClosableSet> closables_;
  NotifyCallback* callback_;
  bool shutDown_ = false;
};
