#include "bits/job.h"

#include <vector>

#include "runtime/errors.h"

#define JOB_METHOD(js, fn, iface, method) BITS_METHOD(Job, js, fn, iface, method)
#define JOB_GET(js, iface, type, method) BITS_GET(Job, js, iface, type, method)
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
          JOB_GET("getReplyFileName", IBackgroundCopyJob2, LPWSTR, GetReplyFileName),
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
          JOB_GET("getCustomHeaders", IBackgroundCopyJobHttpOptions, LPWSTR, GetCustomHeaders),
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
      });
}

Napi::Value Job::GetId(const Napi::CallbackInfo& info) {
  const std::wstring& g = handle().guid;
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
  return Run<IBackgroundCopyJob>(info, [](IBackgroundCopyJob* job, ObjectTable&, Call& call) {
    IBackgroundCopyError* raw = nullptr;
    HRESULT hr = job->GetError(&raw);
    if (hr == static_cast<HRESULT>(BG_E_ERROR_INFORMATION_UNAVAILABLE)) {
      call.result = NValue::Null();
      return S_OK;
    }
    if (FAILED(hr)) return hr;
    ComPtr<IBackgroundCopyError> error = ComPtr<IBackgroundCopyError>::Attach(raw);
    BG_ERROR_CONTEXT context = BG_ERROR_CONTEXT_NONE;
    HRESULT code = S_OK;
    hr = error->GetError(&context, &code);
    if (FAILED(hr)) {
      call.method = "IBackgroundCopyError::GetError";
      return hr;
    }
    DWORD lang = GetUserDefaultUILanguage();
    // Each description is optional: Wine implements none of them, and Windows
    // has none for some codes.
    LPWSTR text = nullptr;
    NValue description = SUCCEEDED(error->GetErrorDescription(lang, &text)) ? ToNValue(text) : NValue::Null();
    text = nullptr;
    NValue contextDescription =
        SUCCEEDED(error->GetErrorContextDescription(lang, &text)) ? ToNValue(text) : NValue::Null();
    text = nullptr;
    NValue protocol = SUCCEEDED(error->GetProtocol(&text)) ? ToNValue(text) : NValue::Null();
    NValue file = NValue::Null();
    IBackgroundCopyFile* rawFile = nullptr;
    if (SUCCEEDED(error->GetFile(&rawFile)) && rawFile) {
      ComPtr<IBackgroundCopyFile> f = ComPtr<IBackgroundCopyFile>::Attach(rawFile);
      LPWSTR remote = nullptr, local = nullptr;
      file = NValue::Object();
      file.Set("remoteName", SUCCEEDED(f->GetRemoteName(&remote)) ? ToNValue(remote) : NValue::Null());
      file.Set("localName", SUCCEEDED(f->GetLocalName(&local)) ? ToNValue(local) : NValue::Null());
    }
    call.result = NValue::Object()
                      .Set("context", ToNValue(context))
                      .Set("hresult", NValue::Number(static_cast<uint32_t>(code)))
                      .Set("description", std::move(description))
                      .Set("systemDescription", NValue::String(SystemMessage(code)))
                      .Set("contextDescription", std::move(contextDescription))
                      .Set("protocol", std::move(protocol))
                      .Set("file", std::move(file));
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

#define NAMED(I) \
  { #I, "IBackgroundCopyJob::QueryInterface(" #I ")", &QueryAs < I> }
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
