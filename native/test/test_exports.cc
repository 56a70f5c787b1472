// Threads: the JS thread (the exports); CountCallback on BITS's RPC threads.
//
// Test-only exports (build/test/windows_bits_test.node): what the addon holds
// (live COM references, calls in flight and posted, Windows handles, callbacks
// received), a round trip through the pool that makes no COM call, and drivers
// that call our COM objects the way BITS would.
#include <windows.h>
#include <wincrypt.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "bits/bits_extra.h"
#include "bits/callback.h"
#include "bits/cert_validator.h"
#include "runtime/addon_state.h"
#include "runtime/com_ptr.h"
#include "runtime/impersonation.h"
#include "runtime/strings.h"
#include "runtime/wine.h"
#include "test/drive_thread.h"
#include "test/failing_job.h"
#include "test/test_hooks.h"

namespace {

std::atomic<uint64_t> callbacksReceived{0};

// GetProcessHandleCount, or where it answers 0 (Wine's is a stub), this
// process's rows in the system handle table (SystemHandleInformation, which Wine
// answers from its server). Test-only, so the undocumented class is acceptable.
DWORD CountHandles() {
  DWORD handles = 0;
  if (GetProcessHandleCount(GetCurrentProcess(), &handles) && handles > 0) return handles;
  struct Entry {
    ULONG ownerPid;
    BYTE objectType;
    BYTE flags;
    USHORT value;
    PVOID object;
    ULONG access;
  };
  struct Table {
    ULONG count;
    Entry entries[1];
  };
  using Query = LONG(WINAPI*)(ULONG, PVOID, ULONG, PULONG);
  auto query = reinterpret_cast<Query>(
      reinterpret_cast<void*>(GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation")));
  if (!query) return 0;
  const ULONG kSystemHandleInformation = 16;
  const LONG kInfoLengthMismatch = static_cast<LONG>(0xC0000004);
  std::vector<unsigned char> buffer(1 << 20);
  ULONG needed = 0;
  LONG status;
  while ((status = query(kSystemHandleInformation, buffer.data(), static_cast<ULONG>(buffer.size()), &needed)) ==
             kInfoLengthMismatch &&
         buffer.size() < (256u << 20)) {
    buffer.resize(std::max<size_t>(buffer.size() * 2, needed + 4096));
  }
  if (status < 0) return 0;
  const Table* table = reinterpret_cast<const Table*>(buffer.data());
  DWORD pid = GetCurrentProcessId();
  for (ULONG i = 0; i < table->count; i++) {
    if (table->entries[i].ownerPid == pid) handles++;
  }
  return handles;
}

Napi::Value DebugStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonState* state = AddonState::From(env);
  DWORD handles = CountHandles();
  Napi::Object o = Napi::Object::New(env);
  o.Set("liveComObjects", Napi::Number::New(env, static_cast<double>(state->pool()->liveObjects())));
  o.Set("processComObjects", Napi::Number::New(env, static_cast<double>(ObjectTable::processLive().load())));
  o.Set("poolTasks", Napi::Number::New(env, static_cast<double>(state->pool()->tasksInFlight())));
  o.Set("pendingCalls", Napi::Number::New(env, static_cast<double>(state->bridge().pending())));
  o.Set("callsScheduled", Napi::Number::New(env, static_cast<double>(state->bridge().scheduled())));
  o.Set("processHandles", Napi::Number::New(env, handles));
  o.Set("callbacksReceived", Napi::Number::New(env, static_cast<double>(callbacksReceived.load())));
  o.Set("slowJobStateReads", Napi::Number::New(env, static_cast<double>(slowJobStateReads.load())));
  o.Set("drivesRunning", Napi::Number::New(env, static_cast<double>(DrivesRunning())));
  // Tests assert Wine's known gaps on Wine and real values on Windows.
  const char* wine = WineVersion();
  o.Set("wine", wine ? Napi::Value(Napi::String::New(env, wine)) : env.Null());
  return o;
}

// A call that goes to a pool thread and back and does nothing there. What it
// costs is the package's own share of every call (bench/bench.mjs).
Napi::Value DebugRoundTrip(const Napi::CallbackInfo& info) {
  return AddonState::From(info.Env())->Schedule(info.Env(), "debugRoundTrip", [](ObjectTable&, Call&) { return S_OK; });
}

// debugValidate(fn, certificate, limitMs): a CertValidator for fn, as
// setServerCertificateValidation makes, asked once from a pool thread as BITS
// would ask from one of its RPC threads (Wine has no HttpOptions3 to register
// it). Resolves with the HRESULT that BITS would get.
Napi::Value DebugValidate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction() || !info[1].IsBuffer() || !info[2].IsNumber()) {
    throw Napi::TypeError::New(env, "expected debugValidate(fn, certificate, limitMs)");
  }
  AddonState* state = AddonState::From(env);
  auto buffer = info[1].As<Napi::Buffer<uint8_t>>();
  std::vector<BYTE> cert(buffer.Data(), buffer.Data() + buffer.Length());
  std::chrono::milliseconds limit(info[2].As<Napi::Number>().Int64Value());
  std::shared_ptr<CertValidator> validator(
      new CertValidator(env, info[0].As<Napi::Function>(), state->closables(), limit),
      [](CertValidator* v) { v->Release(); });
  return state->Schedule(env, "ValidateServerCertificate", [validator, cert](ObjectTable&, Call& call) {
    HRESULT hr = validator->ValidateServerCertificate(nullptr, nullptr, static_cast<DWORD>(cert.size()), cert.data(),
                                                      X509_ASN_ENCODING, 0, nullptr);
    call.result = NValue::Number(static_cast<uint32_t>(hr));
    return S_OK;
  });
}

// debugNullCallbacks(): every IBackgroundCopyCallback3 method of the addon's
// callback object called with null job and file pointers, from a pool thread.
// Resolves with the HRESULTs they returned.
Napi::Value DebugNullCallbacks(const Napi::CallbackInfo& info) {
  AddonState* state = AddonState::From(info.Env());
  NotifyCallback* raw = NotifyCallback::Of(state->notifier());
  raw->AddRef();
  std::shared_ptr<NotifyCallback> callback(raw, [](NotifyCallback* c) { c->Release(); });
  return state->Schedule(info.Env(), "debugNullCallbacks", [callback](ObjectTable&, Call& call) {
    call.result = NValue::Array()
                      .Push(NValue::Number(callback->JobTransferred(nullptr)))
                      .Push(NValue::Number(callback->JobError(nullptr, nullptr)))
                      .Push(NValue::Number(callback->JobModification(nullptr, 0)))
                      .Push(NValue::Number(callback->FileTransferred(nullptr, nullptr)))
                      .Push(NValue::Number(callback->FileRangesTransferred(nullptr, nullptr, 5, nullptr)));
    return S_OK;
  });
}

// debugNotifyInterface(jobId): whom BITS would call for this job, asked of BITS
// itself (IBackgroundCopyJob::GetNotifyInterface through a manager of its own,
// not the addon's records): "ours" (this addon's callback object), "other" or
// "none". What a closed or forgotten watch would leave registered.
Napi::Value DebugNotifyInterface(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "expected debugNotifyInterface(jobId)");
  GUID guid;
  if (!GuidFromString(ToWide(info[0]), &guid)) {
    throw Napi::RangeError::New(env, "jobId: a GUID");
  }
  AddonState* state = AddonState::From(env);
  IUnknown* raw = state->notifier();
  raw->AddRef();
  std::shared_ptr<IUnknown> callback(raw, [](IUnknown* c) { c->Release(); });
  return state->Schedule(env, "debugNotifyInterface", [callback, guid](ObjectTable&, Call& call) {
    ComPtr<IBackgroundCopyManager> manager;
    HRESULT hr = CoCreateInstance(__uuidof(BackgroundCopyManager), nullptr, CLSCTX_LOCAL_SERVER,
                                  __uuidof(IBackgroundCopyManager), reinterpret_cast<void**>(manager.Put()));
    if (FAILED(hr)) return hr;
    EnsureImpersonation(manager.Get());
    ComPtr<IBackgroundCopyJob> job;
    if (FAILED(hr = manager->GetJob(guid, job.Put()))) return hr;
    EnsureImpersonation(job.Get());
    ComPtr<IUnknown> notify;
    if (FAILED(hr = job->GetNotifyInterface(notify.Put()))) return hr;
    const wchar_t* whose = L"none";
    if (notify) {
      // COM identity: IUnknown of both sides (in our own process BITS hands back our object).
      ComPtr<IUnknown> mine, theirs;
      callback->QueryInterface(IID_IUnknown, reinterpret_cast<void**>(mine.Put()));
      notify->QueryInterface(IID_IUnknown, reinterpret_cast<void**>(theirs.Put()));
      whose = mine.Get() == theirs.Get() ? L"ours" : L"other";
    }
    call.result = NValue::String(whose);
    return S_OK;
  });
}

}  // namespace

void CountCallback() { callbacksReceived++; }

void RegisterTestExports(Napi::Env env, Napi::Object exports) {
  exports.Set("debugStats", Napi::Function::New<DebugStats>(env, "debugStats"));
  exports.Set("debugRoundTrip", Napi::Function::New<DebugRoundTrip>(env, "debugRoundTrip"));
  exports.Set("debugValidate", Napi::Function::New<DebugValidate>(env, "debugValidate"));
  exports.Set("debugNullCallbacks", Napi::Function::New<DebugNullCallbacks>(env, "debugNullCallbacks"));
  exports.Set("debugNotifyInterface", Napi::Function::New<DebugNotifyInterface>(env, "debugNotifyInterface"));
  RegisterDriverExports(env, exports);
  RegisterConverterExports(env, exports);
  RegisterReleaseDriverExports(env, exports);
  RegisterFakeJob5Exports(env, exports);
  RegisterAvailabilityExports(env, exports);
}
