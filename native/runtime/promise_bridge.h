// Threads: Schedule, Drain and Close on the JS thread; the work runs on the COM
// pool threads, which also Push completions.
//
// The promise bridge: every call into BITS is a promise made on the JS thread,
// work run on the COM pool, and a settlement back on the JS thread. Completions
// queue up and one wake-up settles them all.
#pragma once

#include <napi.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "runtime/com_thread_pool.h"
#include "runtime/errors.h"
#include "runtime/value.h"

// One promise in flight. Filled on a pool thread, settled on the JS thread.
struct Call {
  napi_deferred deferred = nullptr;
  std::string method;  // the COM method named in an error; work may change it
  HRESULT hr = S_OK;
  std::wstring description;
  NValue result;
};

// Runs on a pool thread. Returns the HRESULT of the COM method that decides the
// outcome and puts the value to resolve with in call.result.
using Work = std::function<HRESULT(ObjectTable&, Call&)>;

// Completed calls queued for the JS thread. Shared with the pool threads, which
// may outlive the environment when a COM call hangs at exit.
class Completions {
 public:
  void Push(std::shared_ptr<Call> call);     // pool threads
  std::deque<std::shared_ptr<Call>> Take();  // JS thread
  void Close();                              // JS thread

  Napi::ThreadSafeFunction tsfn;

 private:
  std::mutex mutex_;
  std::deque<std::shared_ptr<Call>> done_;
  std::atomic<bool> wakePending_{false};
  bool closed_ = false;
};

class PromiseBridge {
 public:
  // describeError: how a failed call's HRESULT gets its words (errors.h).
  PromiseBridge(Napi::Env env, std::shared_ptr<ComThreadPool> pool, ErrorDescriber describeError);

  // JS thread. Posts work to the pool and returns a promise for its result. Work with the
  // same key runs in order; shared work (reads) may overlap.
  Napi::Value Schedule(Napi::Env env, std::string method, Work work, uint64_t key = 0, bool shared = false);

  // JS thread. Settles every completed call (the completions' thread-safe function calls it).
  void Drain(Napi::Env env);

  // JS thread, at shutdown: completed calls are dropped, later ones settle at once.
  void Close();
  // After the pool stopped: the wake-up function goes.
  void Release();

  int64_t pending() const { return pending_; }
  // Calls posted to the pool since start (the benchmark counts hops with it).
  uint64_t scheduled() const { return scheduled_; }

 private:
  void Settle(Napi::Env env, Call& call);

  std::shared_ptr<ComThreadPool> pool_;
  std::shared_ptr<Completions> completions_;
  ErrorDescriber describeError_;
  int64_t pending_ = 0;
  uint64_t scheduled_ = 0;
  bool closed_ = false;
};
