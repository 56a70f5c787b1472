// Threads: the JS thread; the lambdas run on the COM pool threads.
#include "bits/manager.h"

#include "runtime/proxy_lock.h"

#include "bits/availability.h"
#include "bits/convert.h"
#include "bits/enumerate.h"

#define MANAGER_METHOD(js, fn, method) \
  InstanceMethod<fn>(js, napi_default, const_cast<char*>("IBackgroundCopyManager::" #method))

Napi::Function Manager::Define(Napi::Env env) {
  return DefineClass(env, "Manager",
                     {
                         MANAGER_METHOD("createJob", &Manager::CreateJob, CreateJob),
                         MANAGER_METHOD("getJob", &Manager::GetJob, GetJob),
                         MANAGER_METHOD("enumJobs", &Manager::EnumJobs, EnumJobs),
                         MANAGER_METHOD("getErrorDescription", &Manager::GetErrorDescription, GetErrorDescription),
                         InstanceMethod<&Manager::Close>("close"),
                         InstanceMethod<&Manager::DescribeJs>("describe"),
                     });
}

namespace {

NValue JobHandle(ObjectTable& objects, IBackgroundCopyJob* job, const GUID& id) {
  return HandleValue(HandleKind::Job, objects.Add(job), GuidToString(id));
}

}  // namespace

Napi::Value Manager::Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return AddonState::From(env)->Schedule(
      env, "CoCreateInstance(BackgroundCopyManager)", [](ObjectTable& objects, Call& call) {
        // Only the test addon sets it: BITS refusing the way Wine's never does.
        HRESULT forced = ForcedConnectResult();
        if (FAILED(forced)) return forced;
        IBackgroundCopyManager* manager = nullptr;
        HRESULT hr;
        {
          ProxyUnmarshal unmarshal;  // runtime/proxy_lock.h
          hr = CoCreateInstance(__uuidof(BackgroundCopyManager), nullptr, CLSCTX_LOCAL_SERVER,
                                __uuidof(IBackgroundCopyManager), reinterpret_cast<void**>(&manager));
        }
        if (FAILED(hr)) return hr;
        uint64_t id = objects.Add(manager);
        objects.set_describer_if_none(id);
        call.result = HandleValue(HandleKind::Manager, id);
        return S_OK;
      });
}

Napi::Value Manager::CreateJob(const Napi::CallbackInfo& info) {
  std::wstring name = Arg<LPCWSTR>::Parse(info[0]);
  BG_JOB_TYPE type = Arg<BG_JOB_TYPE>::Parse(info[1]);
  return Run<IBackgroundCopyManager>(
      info,
      [name, type](IBackgroundCopyManager* m, ObjectTable& objects, Call& call) {
        GUID id;
        IBackgroundCopyJob* job = nullptr;
        HRESULT hr;
        {
          ProxyUnmarshal unmarshal;
          hr = m->CreateJob(name.c_str(), type, &id, &job);
        }
        if (SUCCEEDED(hr)) call.result = JobHandle(objects, job, id);
        return hr;
      },
      true);  // reads of the manager may overlap
}

Napi::Value Manager::GetJob(const Napi::CallbackInfo& info) {
  GUID id;
  if (!info[0].IsString() || !GuidFromString(ToWide(info[0]), &id)) {
    throw Napi::TypeError::New(info.Env(), "expected a job id in {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} form");
  }
  return Run<IBackgroundCopyManager>(
      info,
      [id](IBackgroundCopyManager* m, ObjectTable& objects, Call& call) {
        IBackgroundCopyJob* job = nullptr;
        HRESULT hr;
        {
          ProxyUnmarshal unmarshal;
          hr = m->GetJob(id, &job);
        }
        if (SUCCEEDED(hr)) call.result = JobHandle(objects, job, id);
        return hr;
      },
      true);  // reads of the manager may overlap
}

Napi::Value Manager::EnumJobs(const Napi::CallbackInfo& info) {
  DWORD flags = Arg<DWORD>::Parse(info[0]);
  return Run<IBackgroundCopyManager>(
      info,
      [flags](IBackgroundCopyManager* m, ObjectTable& objects, Call& call) {
        IEnumBackgroundCopyJobs* raw = nullptr;
        HRESULT hr = m->EnumJobs(flags, &raw);
        if (FAILED(hr)) return hr;
        ComPtr<IEnumBackgroundCopyJobs> jobs = ComPtr<IEnumBackgroundCopyJobs>::Attach(raw);
        call.result = NValue::Array();
        return DrainEnumerator<IBackgroundCopyJob>(jobs.Get(), "IEnumBackgroundCopyJobs::Next", call,
                                                   [&](IBackgroundCopyJob* job) {
                                                     GUID id;
                                                     if (SUCCEEDED(job->GetId(&id))) {
                                                       call.result.Push(JobHandle(objects, job, id));
                                                     } else {
                                                       job->Release();  // cancelled between Next and GetId
                                                     }
                                                   });
      },
      true);  // reads of the manager may overlap
}

Napi::Value Manager::GetErrorDescription(const Napi::CallbackInfo& info) {
  HRESULT code = static_cast<HRESULT>(Arg<DWORD>::Parse(info[0]));
  DWORD lang = Arg<DWORD>::Parse(info[1]);
  return Run<IBackgroundCopyManager>(
      info,
      [code, lang](IBackgroundCopyManager* m, ObjectTable&, Call& call) {
        LPWSTR text = nullptr;
        HRESULT hr = m->GetErrorDescription(code, lang, &text);
        NValue description = ToNValue(text);  // "" for NULL; frees text whatever hr says
        if (SUCCEEDED(hr)) call.result = std::move(description);
        return hr;
      },
      true);  // reads of the manager may overlap
}
