#include "job.h"

#include <vector>

#include "errors.h"

#define JOB_METHOD(js, fn, iface, method) InstanceMethod<fn>(js, napi_default, const_cast<char*>(#iface "::" #method))
#define JOB_GET(js, iface, type, method) JOB_METHOD(js, (&Job::Get<iface, type, &iface::method>), iface, method)
#define JOB_SET(js, iface, type, method) JOB_METHOD(js, (&Job::Set<iface, type, &iface::method>), iface, method)
#define JOB_DO(js, iface, method) JOB_METHOD(js, (&Job::Do<iface, &iface::method>), iface, method)

Napi::Function Job::Define(Napi::Env env) {
  return DefineClass(env, "Job",
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
  I* p = nullptr;
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
    NAMED(IBackgroundCopyJobHttpOptions),
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
