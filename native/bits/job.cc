// Threads: the JS thread; the lambdas run on the COM pool threads.
//
// IBackgroundCopyJob: the class's method table (every interface's entries), and
// the methods of IBackgroundCopyJob itself.
#include "bits/job.h"

#include <memory>
#include <vector>

#include "bits/copy_error.h"
#include "bits/enumerate.h"
#include "runtime/wine.h"

#define JOB_METHOD(js, fn, iface, method) BITS_METHOD(Job, js, fn, iface, method)
#define JOB_GET(js, iface, type, method) BITS_GET(Job, js, iface, type, method)
#define JOB_GET_NON_EMPTY_TEXT(js, iface, method) BITS_GET_NON_EMPTY_TEXT(Job, js, iface, method)
#define JOB_SET(js, iface, type, method) BITS_SET(Job, js, iface, type, method)
#define JOB_DO(js, iface, method) BITS_DO(Job, js, iface, method)

Napi::Function Job::Define(Napi::Env env) {
  return DefineClass(
      env, "Job",
      {
          InstanceAccessor<&Job::GetId>("id"),
          JOB_GET("getDisplayName", IBackgroundCopyJob, LPWSTR, GetDisplayName),
          JOB_GET("getType", IBackgroundCopyJob, BG_JOB_TYPE, GetType),
          JOB_GET("getState", IBackgroundCopyJob, BG_JOB_STATE, GetState),
          JOB_GET("getProgress", IBackgroundCopyJob, BG_JOB_PROGRESS, GetProgress),
          JOB_METHOD("addFile", &Job::AddFile, IBackgroundCopyJob, AddFile),
          JOB_METHOD("addFileSet", &Job::AddFileSet, IBackgroundCopyJob, AddFileSet),
          JOB_DO("resume", IBackgroundCopyJob, Resume),
          JOB_DO("suspend", IBackgroundCopyJob, Suspend),
          JOB_DO("cancel", IBackgroundCopyJob, Cancel),
          JOB_DO("complete", IBackgroundCopyJob, Complete),
          JOB_METHOD("getError", &Job::GetError, IBackgroundCopyJob, GetError),
          JOB_METHOD("getStatus", &Job::GetStatus, IBackgroundCopyJob, GetState),
          JOB_METHOD("queryInterface", &Job::QueryInterface, IBackgroundCopyJob, QueryInterface),
          JOB_SET("setDisplayName", IBackgroundCopyJob, LPCWSTR, SetDisplayName),
          JOB_GET("getDescription", IBackgroundCopyJob, LPWSTR, GetDescription),
          JOB_SET("setDescription", IBackgroundCopyJob, LPCWSTR, SetDescription),
          JOB_GET("getPriority", IBackgroundCopyJob, BG_JOB_PRIORITY, GetPriority),
          JOB_SET("setPriority", IBackgroundCopyJob, BG_JOB_PRIORITY, SetPriority),
          JOB_GET("getNotifyFlags", IBackgroundCopyJob, ULONG, GetNotifyFlags),
          JOB_SET("setNotifyFlags", IBackgroundCopyJob, ULONG, SetNotifyFlags),
          JOB_GET("getMinimumRetryDelay", IBackgroundCopyJob, ULONG, GetMinimumRetryDelay),
          JOB_SET("setMinimumRetryDelay", IBackgroundCopyJob, ULONG, SetMinimumRetryDelay),
          JOB_GET("getNoProgressTimeout", IBackgroundCopyJob, ULONG, GetNoProgressTimeout),
          JOB_SET("setNoProgressTimeout", IBackgroundCopyJob, ULONG, SetNoProgressTimeout),
          JOB_GET("getErrorCount", IBackgroundCopyJob, ULONG, GetErrorCount),
          JOB_GET("getOwner", IBackgroundCopyJob, LPWSTR, GetOwner),
          JOB_GET("getTimes", IBackgroundCopyJob, BG_JOB_TIMES, GetTimes),
          JOB_DO("takeOwnership", IBackgroundCopyJob, TakeOwnership),
          JOB_METHOD("enumFiles", &Job::EnumFiles, IBackgroundCopyJob, EnumFiles),
          JOB_METHOD("getProxySettings", &Job::GetProxySettings, IBackgroundCopyJob, GetProxySettings),
          JOB_METHOD("setProxySettings", &Job::SetProxySettings, IBackgroundCopyJob, SetProxySettings),
          JOB_METHOD("subscribe", &Job::Subscribe, IBackgroundCopyJob, SetNotifyInterface),
          JOB_METHOD("unsubscribe", &Job::Unsubscribe, IBackgroundCopyJob, SetNotifyInterface),
          // IBackgroundCopyJob2
          JOB_METHOD("getNotifyCmdLine", &Job::GetNotifyCmdLine, IBackgroundCopyJob2, GetNotifyCmdLine),
          JOB_METHOD("setNotifyCmdLine", &Job::SetNotifyCmdLine, IBackgroundCopyJob2, SetNotifyCmdLine),
          JOB_GET("getReplyProgress", IBackgroundCopyJob2, BG_JOB_REPLY_PROGRESS, GetReplyProgress),
          JOB_METHOD("getReplyData", &Job::GetReplyData, IBackgroundCopyJob2, GetReplyData),
          JOB_GET_NON_EMPTY_TEXT("getReplyFileName", IBackgroundCopyJob2, GetReplyFileName),
          JOB_SET("setReplyFileName", IBackgroundCopyJob2, LPCWSTR, SetReplyFileName),
          JOB_METHOD("setCredentials", &Job::SetCredentials, IBackgroundCopyJob2, SetCredentials),
          JOB_METHOD("removeCredentials", &Job::RemoveCredentials, IBackgroundCopyJob2, RemoveCredentials),
          // IBackgroundCopyJob3
          JOB_METHOD("replaceRemotePrefix", &Job::ReplaceRemotePrefix, IBackgroundCopyJob3, ReplaceRemotePrefix),
          JOB_METHOD("addFileWithRanges", &Job::AddFileWithRanges, IBackgroundCopyJob3, AddFileWithRanges),
          JOB_GET("getFileACLFlags", IBackgroundCopyJob3, DWORD, GetFileACLFlags),
          JOB_SET("setFileACLFlags", IBackgroundCopyJob3, DWORD, SetFileACLFlags),
          // IBackgroundCopyJob5
          JOB_METHOD("getProperty", &Job::GetProperty, IBackgroundCopyJob5, GetProperty),
          JOB_METHOD("setProperty", &Job::SetProperty, IBackgroundCopyJob5, SetProperty),
          // IBackgroundCopyJobHttpOptions, 2 and 3
          JOB_GET_NON_EMPTY_TEXT("getCustomHeaders", IBackgroundCopyJobHttpOptions, GetCustomHeaders),
          JOB_SET("setCustomHeaders", IBackgroundCopyJobHttpOptions, LPCWSTR, SetCustomHeaders),
          JOB_GET("getSecurityFlags", IBackgroundCopyJobHttpOptions, ULONG, GetSecurityFlags),
          JOB_SET("setSecurityFlags", IBackgroundCopyJobHttpOptions, ULONG, SetSecurityFlags),
          JOB_METHOD("setClientCertificateByID", &Job::SetClientCertificateByID, IBackgroundCopyJobHttpOptions,
                     SetClientCertificateByID),
          JOB_METHOD("setClientCertificateByName", &Job::SetClientCertificateByName, IBackgroundCopyJobHttpOptions,
                     SetClientCertificateByName),
          JOB_DO("removeClientCertificate", IBackgroundCopyJobHttpOptions, RemoveClientCertificate),
          JOB_METHOD("getClientCertificate", &Job::GetClientCertificate, IBackgroundCopyJobHttpOptions,
                     GetClientCertificate),
          JOB_GET("getHttpMethod", IBackgroundCopyJobHttpOptions2, LPWSTR, GetHttpMethod),
          JOB_SET("setHttpMethod", IBackgroundCopyJobHttpOptions2, LPCWSTR, SetHttpMethod),
          JOB_DO("makeCustomHeadersWriteOnly", IBackgroundCopyJobHttpOptions3, MakeCustomHeadersWriteOnly),
          JOB_METHOD("setServerCertificateValidation", &Job::SetServerCertificateValidation,
                     IBackgroundCopyJobHttpOptions3, SetServerCertificateValidationInterface),
          // IBackgroundCopyJob4
          JOB_GET("getPeerCachingFlags", IBackgroundCopyJob4, DWORD, GetPeerCachingFlags),
          JOB_SET("setPeerCachingFlags", IBackgroundCopyJob4, DWORD, SetPeerCachingFlags),
          JOB_GET("getOwnerIntegrityLevel", IBackgroundCopyJob4, ULONG, GetOwnerIntegrityLevel),
          JOB_GET("getOwnerElevationState", IBackgroundCopyJob4, BOOL, GetOwnerElevationState),
          JOB_GET("getMaximumDownloadTime", IBackgroundCopyJob4, ULONG, GetMaximumDownloadTime),
          JOB_SET("setMaximumDownloadTime", IBackgroundCopyJob4, ULONG, SetMaximumDownloadTime),
          InstanceMethod<&Job::Close>("close"),
          InstanceMethod<&Job::DescribeJs>("describe"),
      });
}

std::string Job::Describe(const NativeHandle& h) { return "Job " + std::string(h.name.begin(), h.name.end()); }

Napi::Value Job::GetId(const Napi::CallbackInfo& info) {
  const std::wstring& g = handle().name;
  return Napi::String::New(info.Env(), reinterpret_cast<const char16_t*>(g.data()), g.size());
}

Napi::Value Job::AddFile(const Napi::CallbackInfo& info) {
  std::wstring remote = Arg<LPCWSTR>::Parse(info[0]);
  std::wstring local = Arg<LPCWSTR>::Parse(info[1]);
  return Run<IBackgroundCopyJob>(info, [remote, local](IBackgroundCopyJob* job, ObjectTable&, Call&) {
    return job->AddFile(remote.c_str(), local.c_str());
  });
}

Napi::Value Job::AddFileSet(const Napi::CallbackInfo& info) {
  if (!info[0].IsArray()) throw Napi::TypeError::New(info.Env(), "expected an array");
  Napi::Array files = info[0].As<Napi::Array>();
  std::vector<std::pair<std::wstring, std::wstring>> names;
  for (uint32_t i = 0; i < files.Length(); i++) {
    Napi::Value item = files.Get(i);
    if (!item.IsObject()) throw Napi::TypeError::New(info.Env(), "expected {remoteName, localName} objects");
    Napi::Object o = item.As<Napi::Object>();
    names.emplace_back(Arg<LPCWSTR>::Parse(o.Get("remoteName")), Arg<LPCWSTR>::Parse(o.Get("localName")));
  }
  return Run<IBackgroundCopyJob>(info, [names](IBackgroundCopyJob* job, ObjectTable&, Call&) {
    std::vector<BG_FILE_INFO> set;
    for (const auto& [remote, local] : names) {
      set.push_back({const_cast<LPWSTR>(remote.c_str()), const_cast<LPWSTR>(local.c_str())});
    }
    return job->AddFileSet(static_cast<ULONG>(set.size()), set.data());
  });
}

Napi::Value Job::GetError(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyJob>(
      info, [](IBackgroundCopyJob* job, ObjectTable&, Call& call) { return ReadJobError(job, call, &call.result); },
      true);
}

// State, progress and (in an error state) the error, in one task on the pool:
// one hop for what a poller needs.
Napi::Value Job::GetStatus(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyJob>(
      info,
      [](IBackgroundCopyJob* job, ObjectTable&, Call& call) {
        BG_JOB_STATE state;
        HRESULT hr = job->GetState(&state);
        if (FAILED(hr)) return hr;
        BG_JOB_PROGRESS progress;
        hr = job->GetProgress(&progress);
        if (FAILED(hr)) {
          call.method = "IBackgroundCopyJob::GetProgress";
          return hr;
        }
        NValue error = NValue::Null();
        if (state == BG_JOB_STATE_ERROR || state == BG_JOB_STATE_TRANSIENT_ERROR) {
          hr = ReadJobError(job, call, &error);
          if (FAILED(hr)) return hr;
        }
        call.result = NValue::Object()
                          .Set("state", ToNValue(state))
                          .Set("progress", ToNValue(progress))
                          .Set("error", std::move(error));
        return S_OK;
      },
      true);
}

Napi::Value Job::EnumFiles(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyJob>(info, [](IBackgroundCopyJob* job, ObjectTable& objects, Call& call) {
    IEnumBackgroundCopyFiles* raw = nullptr;
    HRESULT hr = job->EnumFiles(&raw);
    if (FAILED(hr)) return hr;
    ComPtr<IEnumBackgroundCopyFiles> files = ComPtr<IEnumBackgroundCopyFiles>::Attach(raw);
    call.result = NValue::Array();
    return DrainEnumerator<IBackgroundCopyFile>(
        files.Get(), "IEnumBackgroundCopyFiles::Next", call,
        [&](IBackgroundCopyFile* file) { call.result.Push(HandleValue(HandleKind::File, objects.Add(file))); });
  });
}

Napi::Value Job::GetProxySettings(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyJob>(info, [](IBackgroundCopyJob* job, ObjectTable&, Call& call) {
    BG_JOB_PROXY_USAGE usage;
    LPWSTR list = nullptr, bypass = nullptr;
    HRESULT hr = job->GetProxySettings(&usage, &list, &bypass);
    // No list is null, whether BITS hands back NULL (Wine) or L"" (the pages fix
    // neither; SetProxySettings wants NULL lists for every usage but override).
    NValue proxyList = NonEmptyTextOrNull(list), bypassList = NonEmptyTextOrNull(bypass);  // freed whatever hr says
    if (SUCCEEDED(hr))
      call.result = NValue::Object()
                        .Set("usage", ToNValue(usage))
                        .Set("proxyList", std::move(proxyList))
                        .Set("bypassList", std::move(bypassList));
    return hr;
  });
}

Napi::Value Job::SetProxySettings(const Napi::CallbackInfo& info) {
  auto usage = Arg<BG_JOB_PROXY_USAGE>::Parse(info[0]);
  auto list = OptionalString::Parse(info[1]);
  auto bypass = OptionalString::Parse(info[2]);
  return Run<IBackgroundCopyJob>(info, [usage, list, bypass](IBackgroundCopyJob* job, ObjectTable&, Call&) {
    return job->SetProxySettings(usage, list.get(), bypass.get());
  });
}

namespace {

// Wine's BITS calls JobTransferred from its one transfer thread through the job's
// registered interface, holding no reference of its own, and SetNotifyInterface
// releases that interface with no lock: taken away during the call, the thread
// never returns and no later job transfers. That call can come while the job is
// queued, connecting, transferring or transferred (and just after it is
// acknowledged or cancelled). So under Wine the registration stays with the job
// in those states; BITS calls each job's JobTransferred once, the events of a job
// no one watches go nowhere (lib/job/watch.ts), and the addon disconnects the
// callback object from BITS when it shuts down (runtime/addon_state.cc). Windows'
// service holds its own reference during the call: there it is always taken away.
bool CallbackMayBeInUse(IBackgroundCopyJob* job) {
  if (WineVersion() == nullptr) return false;
  BG_JOB_STATE state;
  if (FAILED(job->GetState(&state))) return false;
  return state != BG_JOB_STATE_SUSPENDED && state != BG_JOB_STATE_ERROR && state != BG_JOB_STATE_TRANSIENT_ERROR;
}

}  // namespace

// Subscribing a job to our callback object. BITS keeps one callback per job (the
// last process to register wins) and forgets it when the service restarts, so
// lib/ polls as well; here we only register, and undo it exactly once.
Napi::Value Job::Subscribe(const Napi::CallbackInfo& info) {
  IUnknown* raw = AddonState::From(info.Env())->notifier();  // our NotifyCallback (addon.cc)
  raw->AddRef();
  // Held by the task until it goes, whether it runs or is dropped at shutdown.
  std::shared_ptr<IUnknown> callback(raw, [](IUnknown* c) { c->Release(); });
  uint64_t jobId = id();
  return Run<IBackgroundCopyJob>(info, [callback, jobId](IBackgroundCopyJob* job, ObjectTable& objects, Call&) {
    ULONG previous = BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR;
    job->GetNotifyFlags(&previous);
    HRESULT hr = job->SetNotifyInterface(callback.get());
    if (FAILED(hr)) return hr;
    const ULONG all = BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_JOB_MODIFICATION;
    // FILE_TRANSFERRED needs BITS 3.0, FILE_RANGES_TRANSFERRED BITS 10.1:
    // ask for it, and make do without where the service refuses.
    if (FAILED(job->SetNotifyFlags(all | BG_NOTIFY_FILE_TRANSFERRED | BG_NOTIFY_FILE_RANGES_TRANSFERRED)) &&
        FAILED(job->SetNotifyFlags(all | BG_NOTIFY_FILE_TRANSFERRED))) {
      job->SetNotifyFlags(all);
    }
    objects.SetOnRelease(jobId, ObjectTable::Slot::Notify, [job, previous]() {
      job->SetNotifyFlags(previous);
      if (!CallbackMayBeInUse(job)) job->SetNotifyInterface(nullptr);
    });
    return S_OK;
  });
}

Napi::Value Job::Unsubscribe(const Napi::CallbackInfo& info) {
  uint64_t jobId = id();
  return Run<IBackgroundCopyJob>(info, [jobId](IBackgroundCopyJob*, ObjectTable& objects, Call&) {
    objects.RunOnRelease(jobId, ObjectTable::Slot::Notify);
    return S_OK;
  });
}

namespace {

using QueryFn = HRESULT (*)(ObjectTable&, uint64_t);

template <class I>
HRESULT QueryAs(ObjectTable& objects, uint64_t id) {
  ComPtr<I> p;
  return objects.Query(id, &p);
}

struct NamedInterface {
  const char* name;
  const char* method;
  QueryFn query;
};

#define NAMED(I) {#I, "IBackgroundCopyJob::QueryInterface(" #I ")", &QueryAs<I>}
const NamedInterface kJobInterfaces[] = {
    NAMED(IBackgroundCopyJob2),
    NAMED(IBackgroundCopyJob3),
    NAMED(IBackgroundCopyJob4),
    NAMED(IBackgroundCopyJob5),
    NAMED(IBackgroundCopyJobHttpOptions),
    NAMED(IBackgroundCopyJobHttpOptions2),
    NAMED(IBackgroundCopyJobHttpOptions3),
};
#undef NAMED

}  // namespace

// Asks for a newer interface once; the answer is kept with the handle, so the
// methods of that interface cost no extra round trip afterwards.
Napi::Value Job::QueryInterface(const Napi::CallbackInfo& info) {
  std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  for (const auto& face : kJobInterfaces) {
    if (name == face.name) {
      QueryFn query = face.query;
      uint64_t jobId = id();
      return RunNamed<IBackgroundCopyJob>(info, face.method,
                                          [query, jobId](IBackgroundCopyJob*, ObjectTable& objects, Call& call) {
                                            HRESULT hr = query(objects, jobId);
                                            call.result = NValue::Bool(SUCCEEDED(hr));
                                            return hr;
                                          });
    }
  }
  throw Napi::RangeError::New(info.Env(), "unknown job interface: " + name);
}
