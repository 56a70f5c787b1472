// Threads: see drive_thread.h (StartDrive and Settle on the JS thread, the
// drive on a thread of its own).
#include "test/drive_thread.h"

#include <objbase.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

namespace {

// JS thread: settles the drive's promise with { hresults, allocationsFailed },
// or rejects it naming the setup step that failed and its HRESULT.
void Settle(Napi::Env env, Napi::Function, Napi::Promise::Deferred* deferred, Outcome* outcome) {
  std::unique_ptr<Outcome> owned(outcome);
  if (!env) return;  // the environment is going: nobody awaits the promise any more
  try {
    if (FAILED(owned->hr)) {
      char text[256];
      snprintf(text, sizeof text, "%s failed: 0x%08lX", owned->step.c_str(), static_cast<unsigned long>(owned->hr));
      Napi::Error e = Napi::Error::New(env, text);
      e.Set("hresult", Napi::Number::New(env, static_cast<uint32_t>(owned->hr)));
      deferred->Reject(e.Value());
      return;
    }
    Napi::Array list = Napi::Array::New(env, owned->hresults.size());
    for (size_t i = 0; i < owned->hresults.size(); i++) {
      list.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<uint32_t>(owned->hresults[i])));
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("hresults", list);
    result.Set("allocationsFailed", Napi::Number::New(env, static_cast<double>(owned->allocationsFailed)));
    Napi::Array each = Napi::Array::New(env, owned->failedEach.size());
    for (size_t i = 0; i < owned->failedEach.size(); i++) {
      each.Set(static_cast<uint32_t>(i), Napi::Number::New(env, owned->failedEach[i]));
    }
    result.Set("allocationsFailedEach", each);
    deferred->Resolve(result);
  } catch (const Napi::Error&) {
    // A JS exception is pending and Node reports it; nothing may unwind into Node's C code.
  }
}
using Tsfn = Napi::TypedThreadSafeFunction<Napi::Promise::Deferred, Outcome, &Settle>;

std::atomic<uint64_t> drivesRunning{0};

// What a drive's thread may still reach of the environment that started it.
// Node deletes a thread-safe function when its environment is torn down, even
// while a thread still holds it, so a drive that outlives its worker must not
// touch the function after that: the environment's cleanup hook (which Node runs
// before it deletes any thread-safe function) says so under the mutex.
struct DriveLink {
  std::mutex mutex;
  bool envGone = false;
  Tsfn tsfn;
  static void EnvGone(void* arg) {
    DriveLink& link = **static_cast<std::shared_ptr<DriveLink>*>(arg);
    std::lock_guard<std::mutex> g(link.mutex);
    link.envGone = true;
  }
};

}  // namespace

Napi::Value StartDrive(Napi::Env env, std::function<void(Outcome&)> body) {
  auto deferred = std::make_unique<Napi::Promise::Deferred>(env);
  Napi::Promise promise = deferred->Promise();
  auto link = std::make_shared<DriveLink>();
  // The cleanup hook's argument; the function's finalizer, which Node runs on
  // every path, takes the hook away and frees it.
  auto hookArg = std::make_unique<std::shared_ptr<DriveLink>>(link);
  link->tsfn = Tsfn::New(
      env, "windows-bits:test-driver", 0, 1, deferred.get(),
      [](Napi::Env e, std::shared_ptr<DriveLink>* arg, Napi::Promise::Deferred* d) {
        napi_remove_env_cleanup_hook(e, DriveLink::EnvGone, arg);
        delete arg;
        delete d;
      },
      hookArg.get());
  deferred.release();  // the finalizer frees both
  napi_status hooked = napi_add_env_cleanup_hook(env, DriveLink::EnvGone, hookArg.release());
  if (hooked != napi_ok) {
    link->tsfn.Release();
    NAPI_THROW_IF_FAILED(env, hooked, Napi::Value());
  }
  auto run = [link, body]() mutable {
    auto outcome = std::make_unique<Outcome>();
    HRESULT init = CoInitializeEx(nullptr, COINIT_MULTITHREADED);
    try {
      if (FAILED(init)) {
        outcome->hr = init;
        outcome->step = "CoInitializeEx";
      } else {
        body(*outcome);  // its COM pointers are released before the apartment is left
      }
    } catch (...) {
      outcome->hr = E_UNEXPECTED;
      outcome->step = "the driver (a C++ exception)";
    }
    if (SUCCEEDED(init)) CoUninitialize();
    {
      std::lock_guard<std::mutex> g(link->mutex);
      if (!link->envGone) {
        // The queue is unbounded: this never waits, so the mutex is held briefly.
        if (link->tsfn.NonBlockingCall(outcome.get()) == napi_ok) outcome.release();
        link->tsfn.Release();
      }
    }
    drivesRunning--;
  };
  drivesRunning++;
  try {
    std::thread(std::move(run)).detach();
  } catch (const std::exception& e) {
    drivesRunning--;
    // No thread: nothing will settle the promise, so the function must not keep the loop alive.
    link->tsfn.Release();
    throw Napi::Error::New(env, std::string("debug driver: no thread: ") + e.what());
  }
  return promise;
}

uint64_t DrivesRunning() { return drivesRunning.load(); }
