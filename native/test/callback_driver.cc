// Threads: the exports on the JS thread; each drive on a thread of its own in the
// multithreaded apartment, which starts the calling threads (MTA too, as BITS's
// RPC threads are; drive_thread.cc), settled on the JS thread.
//
// Test-only drivers of the COM objects that BITS calls.
// Wine's BITS never calls JobError, FileTransferred, FileRangesTransferred or a
// certificate validator, so these make those calls themselves, the way BITS
// would: from threads that are not the addon's, on the callback object that
// BITS holds (GetNotifyInterface, no shortcut through the addon's state), with
// job, file and error objects from Wine's real BITS service. Nothing here goes
// through the COM pool, so debugStats().callsScheduled counts only lib/'s hops.
#include <windows.h>
#include <wincrypt.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bits/bits_extra.h"
#include "bits/cert_validator.h"
#include "bits/convert.h"
#include "runtime/addon_state.h"
#include "runtime/com_ptr.h"
#include "runtime/impersonation.h"
#include "runtime/strings.h"
#include "test/alloc_failure.h"
#include "test/drive_thread.h"
#include "test/failing_job.h"
#include "test/test_hooks.h"

namespace {

// How many calls, from how many threads at once, with which allocations of
// each call failing (skip, then fail; fail 0: none). sweep: call i skips
// skip + i, so that one drive fails each allocation of a call in turn.
struct Spread {
  uint32_t threads = 1;
  uint32_t calls = 1;
  uint32_t skip = 0;
  uint32_t fail = 0;
  bool sweep = false;
};

// Any thread: `call` made spread.calls times from spread.threads threads of
// our own, each in the MTA as BITS's RPC threads are.
template <class Call>
void RunCalls(const Spread& spread, const Call& call, Outcome* out) {
  out->hresults.assign(spread.calls, S_OK);
  out->failedEach.assign(spread.calls, 0);
  std::atomic<uint32_t> next{0};
  std::atomic<uint64_t> failed{0};
  auto work = [&]() {
    HRESULT init = CoInitializeEx(nullptr, COINIT_MULTITHREADED);
    for (uint32_t i; (i = next++) < spread.calls;) {
      // Armed right before the call: the only allocations it can fail are the call's own.
      if (spread.fail) FailAllocations(spread.sweep ? spread.skip + i : spread.skip, spread.fail);
      HRESULT hr = call();
      if (spread.fail) failed += out->failedEach[i] = TakeAllocationsFailed();
      out->hresults[i] = hr;
    }
    if (SUCCEEDED(init)) CoUninitialize();
  };
  std::vector<std::thread> threads;
  threads.reserve(spread.threads);
  try {
    for (uint32_t t = 0; t < spread.threads; t++) threads.emplace_back(work);
  } catch (...) {
    for (std::thread& t : threads) t.join();  // a joinable thread left behind would terminate the process
    throw;
  }
  for (std::thread& t : threads) t.join();
  out->allocationsFailed = failed.load();
}

Spread ReadSpread(const Napi::Object& plan) {
  Spread s;
  auto count = [&](const char* name, uint32_t fallback) {
    Napi::Value v = plan.Get(name);
    return v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : fallback;
  };
  s.threads = count("threads", 1);
  s.calls = count("calls", 1);
  if (s.threads == 0 || s.threads > 64) throw Napi::RangeError::New(plan.Env(), "threads: 1 to 64");
  Napi::Value fail = plan.Get("failAllocations");
  if (fail.IsObject()) {
    Napi::Object f = fail.As<Napi::Object>();
    s.skip = f.Get("skip").IsNumber() ? f.Get("skip").As<Napi::Number>().Uint32Value() : 0;
    s.fail = f.Get("count").IsNumber() ? f.Get("count").As<Napi::Number>().Uint32Value() : 1;
    s.sweep = f.Get("sweep").IsBoolean() && f.Get("sweep").As<Napi::Boolean>().Value();
  }
  return s;
}

std::string ReadString(const Napi::Object& plan, const char* name, const char* fallback) {
  Napi::Value v = plan.Get(name);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string(fallback);
}

enum class Method { JobTransferred, JobError, JobModification, FileTransferred, FileRangesTransferred };

struct CallbackPlan {
  std::wstring jobId, via, errorFrom;
  Method method = Method::JobTransferred;
  std::string job, file;  // "real", "null"; job also "getid-fails" and "slow"
  DWORD delayMs = 0;      // job "slow": how long its GetProgress takes
  std::vector<BG_FILE_RANGE> ranges;
  Spread spread;
};

HRESULT GetJob(IBackgroundCopyManager* manager, const std::wstring& id, ComPtr<IBackgroundCopyJob>* out) {
  GUID guid;
  if (!GuidFromString(id, &guid)) return E_INVALIDARG;
  HRESULT hr = manager->GetJob(guid, out->Put());
  if (SUCCEEDED(hr)) EnsureImpersonation(out->Get());
  return hr;
}

// The driver thread (MTA): the objects BITS would pass, then the calls.
void DriveCallbacks(const CallbackPlan& p, Outcome* out) {
  auto fail = [out](const char* step, HRESULT hr) {
    out->step = step;
    out->hr = hr;
  };
  ComPtr<IBackgroundCopyManager> manager;
  HRESULT hr = CoCreateInstance(__uuidof(BackgroundCopyManager), nullptr, CLSCTX_LOCAL_SERVER,
                                __uuidof(IBackgroundCopyManager), reinterpret_cast<void**>(manager.Put()));
  if (FAILED(hr)) return fail("CoCreateInstance(BackgroundCopyManager)", hr);
  EnsureImpersonation(manager.Get());
  ComPtr<IBackgroundCopyJob> job, via;
  if (FAILED(hr = GetJob(manager.Get(), p.jobId, &job))) return fail("IBackgroundCopyManager::GetJob(jobId)", hr);
  if (FAILED(hr = GetJob(manager.Get(), p.via, &via))) return fail("IBackgroundCopyManager::GetJob(via)", hr);
  // The callback object exactly as BITS holds it. In our own apartment COM
  // unmarshals it to the object itself, as BITS's proxy would reach it.
  ComPtr<IUnknown> notify;
  if (FAILED(hr = via->GetNotifyInterface(notify.Put()))) return fail("IBackgroundCopyJob::GetNotifyInterface", hr);
  if (!notify) return fail("IBackgroundCopyJob::GetNotifyInterface (none registered: listen to the job)", E_POINTER);
  ComPtr<IBackgroundCopyCallback> callback;
  ComPtr<IBackgroundCopyCallback2> callback2;
  ComPtr<IBackgroundCopyCallback3> callback3;
  if (FAILED(hr = notify->QueryInterface(__uuidof(IBackgroundCopyCallback), reinterpret_cast<void**>(callback.Put()))))
    return fail("QueryInterface(IBackgroundCopyCallback)", hr);
  if (p.method == Method::FileTransferred &&
      FAILED(hr =
                 notify->QueryInterface(__uuidof(IBackgroundCopyCallback2), reinterpret_cast<void**>(callback2.Put()))))
    return fail("QueryInterface(IBackgroundCopyCallback2)", hr);
  if (p.method == Method::FileRangesTransferred &&
      FAILED(hr =
                 notify->QueryInterface(__uuidof(IBackgroundCopyCallback3), reinterpret_cast<void**>(callback3.Put()))))
    return fail("QueryInterface(IBackgroundCopyCallback3)", hr);

  ComPtr<IBackgroundCopyFile> file;
  if (p.file == "real" && (p.method == Method::FileTransferred || p.method == Method::FileRangesTransferred)) {
    ComPtr<IEnumBackgroundCopyFiles> files;
    if (FAILED(hr = job->EnumFiles(files.Put()))) return fail("IBackgroundCopyJob::EnumFiles", hr);
    EnsureImpersonation(files.Get());
    ULONG fetched = 0;
    if (FAILED(hr = files->Next(1, file.Put(), &fetched)) || fetched != 1)
      return fail("IEnumBackgroundCopyFiles::Next (the job needs a file)", FAILED(hr) ? hr : E_FAIL);
    EnsureImpersonation(file.Get());
  }
  ComPtr<IBackgroundCopyError> error;
  if (p.method == Method::JobError && !p.errorFrom.empty()) {
    ComPtr<IBackgroundCopyJob> failed;
    if (FAILED(hr = GetJob(manager.Get(), p.errorFrom, &failed)))
      return fail("IBackgroundCopyManager::GetJob(errorFrom)", hr);
    if (FAILED(hr = failed->GetError(error.Put()))) return fail("IBackgroundCopyJob::GetError(errorFrom)", hr);
    EnsureImpersonation(error.Get());
  }
  ComPtr<IBackgroundCopyJob> failing = ComPtr<IBackgroundCopyJob>::Attach(new FailingJob());
  ComPtr<IBackgroundCopyJob> slow = ComPtr<IBackgroundCopyJob>::Attach(new SlowJob(job.Get(), p.delayMs));

  IBackgroundCopyJob* j = p.job == "null"          ? nullptr
                          : p.job == "getid-fails" ? failing.Get()
                          : p.job == "slow"        ? slow.Get()
                                                   : job.Get();
  IBackgroundCopyFile* f = file.Get();
  // BITS passes an array even for no ranges; an empty vector's data() may be null.
  static const BG_FILE_RANGE kNone[1] = {};
  const BG_FILE_RANGE* ranges = p.ranges.empty() ? kNone : p.ranges.data();
  DWORD count = static_cast<DWORD>(p.ranges.size());
  IBackgroundCopyError* e = error.Get();
  switch (p.method) {
    case Method::JobTransferred:
      return RunCalls(p.spread, [&]() { return callback->JobTransferred(j); }, out);
    case Method::JobError:
      return RunCalls(p.spread, [&]() { return callback->JobError(j, e); }, out);
    case Method::JobModification:
      return RunCalls(p.spread, [&]() { return callback->JobModification(j, 0); }, out);
    case Method::FileTransferred:
      return RunCalls(p.spread, [&]() { return callback2->FileTransferred(j, f); }, out);
    case Method::FileRangesTransferred:
      return RunCalls(p.spread, [&]() { return callback3->FileRangesTransferred(j, f, count, ranges); }, out);
  }
}

// debugDriveCallbacks(jobId, plan): see test/support/test-binding.d.ts.
Napi::Value DebugDriveCallbacks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsObject()) {
    throw Napi::TypeError::New(env, "expected debugDriveCallbacks(jobId, plan)");
  }
  Napi::Object plan = info[1].As<Napi::Object>();
  CallbackPlan p;
  p.jobId = ToWide(info[0]);
  p.via = plan.Get("via").IsString() ? ToWide(plan.Get("via")) : p.jobId;
  if (plan.Get("errorFrom").IsString()) p.errorFrom = ToWide(plan.Get("errorFrom"));
  std::string method = ReadString(plan, "method", "");
  if (method == "JobTransferred")
    p.method = Method::JobTransferred;
  else if (method == "JobError")
    p.method = Method::JobError;
  else if (method == "JobModification")
    p.method = Method::JobModification;
  else if (method == "FileTransferred")
    p.method = Method::FileTransferred;
  else if (method == "FileRangesTransferred")
    p.method = Method::FileRangesTransferred;
  else
    throw Napi::TypeError::New(env, "plan.method: an IBackgroundCopyCallback3 method name");
  p.job = ReadString(plan, "job", "real");
  if (plan.Get("delayMs").IsNumber()) p.delayMs = plan.Get("delayMs").As<Napi::Number>().Uint32Value();
  p.file = ReadString(plan, "file", "real");
  if (plan.Get("ranges").IsArray()) p.ranges = ParseRanges(plan.Get("ranges"));
  p.spread = ReadSpread(plan);
  return StartDrive(env, [p](Outcome& out) { DriveCallbacks(p, &out); });
}

// debugDriveValidation(fn, plan): see test/support/test-binding.d.ts.
Napi::Value DebugDriveValidation(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction() || !info[1].IsObject()) {
    throw Napi::TypeError::New(env, "expected debugDriveValidation(fn, plan)");
  }
  Napi::Object plan = info[1].As<Napi::Object>();
  if (!plan.Get("certificate").IsBuffer() || !plan.Get("limitMs").IsNumber()) {
    throw Napi::TypeError::New(env, "plan.certificate (Buffer) and plan.limitMs are required");
  }
  auto bytes = [&](const char* name) {
    Napi::Value v = plan.Get(name);
    if (!v.IsBuffer()) return std::vector<BYTE>();
    auto b = v.As<Napi::Buffer<uint8_t>>();
    return std::vector<BYTE>(b.Data(), b.Data() + b.Length());
  };
  std::vector<BYTE> cert = bytes("certificate"), chain = bytes("chain");
  std::chrono::milliseconds limit(plan.Get("limitMs").As<Napi::Number>().Int64Value());
  Spread spread = ReadSpread(plan);
  AddonState* state = AddonState::From(env);
  // The object setServerCertificateValidation makes and would register.
  std::shared_ptr<CertValidator> validator(
      new CertValidator(env, info[0].As<Napi::Function>(), state->closables(), limit),
      [](CertValidator* v) { v->Release(); });
  return StartDrive(env, [validator, cert, chain, spread](Outcome& out) {
    ComPtr<IBackgroundCopyServerCertificateValidationCallback> asked;
    validator->QueryInterface(__uuidof(IBackgroundCopyServerCertificateValidationCallback),
                              reinterpret_cast<void**>(asked.Put()));
    if (!asked) {
      out.step = "QueryInterface(IBackgroundCopyServerCertificateValidationCallback)";
      out.hr = E_NOINTERFACE;
      return;
    }
    RunCalls(
        spread,
        [&]() {
          return asked->ValidateServerCertificate(nullptr, nullptr, static_cast<DWORD>(cert.size()), cert.data(),
                                                  X509_ASN_ENCODING, static_cast<DWORD>(chain.size()),
                                                  chain.empty() ? nullptr : chain.data());
        },
        &out);
  });
}

}  // namespace

void RegisterDriverExports(Napi::Env env, Napi::Object exports) {
  exports.Set("debugDriveCallbacks", Napi::Function::New<DebugDriveCallbacks>(env, "debugDriveCallbacks"));
  exports.Set("debugDriveValidation", Napi::Function::New<DebugDriveValidation>(env, "debugDriveValidation"));
}
