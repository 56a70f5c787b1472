// Per-environment state: the main thread and every worker_thread that loads the
// addon gets its own COM thread, call queue and constructors.
#pragma once

#include <napi.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "runtime/com_thread_pool.h"
#include "bits/callback.h"
#include "runtime/value.h"

// One promise in flight. Filled on the COM thread, settled on the JS thread.
struct Call {
  napi_deferred deferred = nullptr;
  std::string method;  // the COM method named in an error; work may change it
  HRESULT hr = S_OK;
  std::wstring description;
  NValue result;
};

// Runs on the COM thread. Returns the HRESULT of the COM method that decides the
// outcome and puts the value to resolve with in call.result.
using Work = std::function<HRESULT(ObjectTable&, Call&)>;

// Completed calls queued for the JS thread. Shared with the COM thread, which may
// outlive the environment when a COM call hangs at exit.
class Completions {
 public:
  void Push(std::shared_ptr<Call> call);
  std::deque<std::shared_ptr<Call>> Take();
  void Close();

  using Wake = Napi::TypedThreadSafeFunction<Completions, void, nullptr>;
  Napi::ThreadSafeFunction tsfn;

 private:
  std::mutex mutex_;
  std::deque<std::shared_ptr<Call>> done_;
  std::atomic<bool> wakePending_{false};
  bool closed_ = false;
  friend class AddonState;
};

class AddonState {
 public:
  explicit AddonState(Napi::Env env);
  ~AddonState();

  static AddonState* From(Napi::Env env) { return env.GetInstanceData<AddonState>(); }

  // Posts work to the COM threads and returns a promise for its result. Work
  // with the same key runs in order; shared work (reads) may overlap.
  Napi::Value Schedule(Napi::Env env, std::string method, Work work, uint64_t key = 0, bool shared = false);

  // Stops the COM thread and drops what is queued. Safe to call twice.
  void Shutdown();

  const std::shared_ptr<ComThread>& thread() const { return thread_; }
  int64_t pendingCalls() const { return pending_; }

  // Notifications: one sink and one callback object for every job.
  const std::shared_ptr<EventSink>& events() const { return events_; }
  NotifyCallback* callback() const { return callback_; }

  Napi::FunctionReference managerCtor;
  Napi::FunctionReference jobCtor;
  Napi::FunctionReference fileCtor;

  Napi::Value HandleToJs(Napi::Env env, const NativeHandle& h);

 private:
  void Drain(Napi::Env env);
  void Settle(Napi::Env env, Call& call);

  std::shared_ptr<ComThread> thread_;
  std::shared_ptr<Completions> completions_;
  std::shared_ptr<EventSink> events_;
  NotifyCallback* callback_;
  int64_t pending_ = 0;
  bool shutDown_ = false;
};
