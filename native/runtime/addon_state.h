// Threads: the JS thread of its environment (the main thread or a worker's).
//
// Per-environment state: every environment that loads the addon (the main thread
// and each worker_thread) gets its own COM pool, promise bridge, event sink,
// notification object, wrapper classes and error classes. The module (addon.cc)
// hands in what names BITS (AddonParts): the runtime knows the notification
// object only as an IUnknown to hold and release, and the wrapper classes only
// by number.
#pragma once

#include <napi.h>
#include <unknwn.h>

#include <memory>
#include <vector>

#include "runtime/closable.h"
#include "runtime/com_thread_pool.h"
#include "runtime/errors.h"
#include "runtime/event_sink.h"
#include "runtime/promise_bridge.h"
#include "runtime/value.h"

// What the module plugs into the runtime when an environment loads it.
struct AddonParts {
  // Makes the one COM object that notifications arrive through, pushing each
  // onto `sink`. Returns it holding one reference, which Shutdown releases.
  IUnknown* (*makeNotifier)(std::shared_ptr<EventSink> sink) = nullptr;
  // Describes a failed call's HRESULT on a pool thread (errors.h).
  ErrorDescriber describeError = nullptr;
};

class AddonState {
 public:
  AddonState(Napi::Env env, const AddonParts& parts);
  ~AddonState();

  static AddonState* From(Napi::Env env) { return env.GetInstanceData<AddonState>(); }

  // Stops the pool and drops what is queued. Safe to call twice.
  void Shutdown();

  Napi::Value Schedule(Napi::Env env, std::string method, Work work, uint64_t key = 0, bool shared = false) {
    return bridge_->Schedule(env, std::move(method), std::move(work), key, shared);
  }
  PromiseBridge& bridge() { return *bridge_; }
  const std::shared_ptr<ComThreadPool>& pool() const { return pool_; }

  // Notifications: one sink and one notification object for every job.
  const std::shared_ptr<EventSink>& events() const { return events_; }
  IUnknown* notifier() const { return notifier_; }
  // Objects that BITS may call after this environment is gone (validators).
  const std::shared_ptr<ClosableSet>& closables() const { return closables_; }

  // The JS class that wraps handles of `kind` (NativeHandle::kind).
  void SetWrapperClass(uint32_t kind, Napi::Function ctor);
  // setErrorClasses(BitsError, ObjectClosedError); empty for raw use of the addon.
  Napi::FunctionReference bitsErrorClass;
  Napi::FunctionReference closedErrorClass;

  Napi::Value HandleToJs(Napi::Env env, const NativeHandle& h);

 private:
  std::shared_ptr<ComThreadPool> pool_;
  std::unique_ptr<PromiseBridge> bridge_;
  std::shared_ptr<EventSink> events_;
  std::shared_ptr<ClosableSet> closables_;
  IUnknown* notifier_;
  std::vector<Napi::FunctionReference> wrapperClasses_;
  bool shutDown_ = false;
};
