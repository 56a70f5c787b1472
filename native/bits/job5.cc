// Threads: the JS thread; the lambdas run on the COM pool threads.
//
// IBackgroundCopyJob5's properties: one BITS_JOB_PROPERTY_VALUE union, whose
// member depends on the property id.
#include "bits/job.h"
#include "bits/returned.h"

Napi::Value Job::GetProperty(const Napi::CallbackInfo& info) {
  auto id = Arg<BITS_JOB_PROPERTY_ID>::Parse(info[0]);
  if (KindOf(id) == PropertyKind::Unknown) throw Napi::RangeError::New(info.Env(), "unknown BITS_JOB_PROPERTY_ID");
  return Run<IBackgroundCopyJob5>(
      info,
      [id](IBackgroundCopyJob5* job, ObjectTable&, Call& call) {
        BITS_JOB_PROPERTY_VALUE v{};
        HRESULT hr = job->GetProperty(id, &v);
        if (SUCCEEDED(hr)) call.result = JobPropertyToNValue(id, v);
        return hr;
      },
      true);
}

Napi::Value Job::SetProperty(const Napi::CallbackInfo& info) {
  auto id = Arg<BITS_JOB_PROPERTY_ID>::Parse(info[0]);
  BITS_JOB_PROPERTY_VALUE v{};
  switch (KindOf(id)) {
    case PropertyKind::Dword:
      v.Dword = Arg<DWORD>::Parse(info[1]);
      break;
    case PropertyKind::Guid:
      if (!info[1].IsString() || !GuidFromString(ToWide(info[1]), &v.ClsID)) {
        throw Napi::TypeError::New(info.Env(), "expected a braced GUID");
      }
      break;
    case PropertyKind::Bool:
      v.Enable = Arg<BOOL>::Parse(info[1]);
      break;
    case PropertyKind::Uint64:
      if (!info[1].IsNumber()) throw Napi::TypeError::New(info.Env(), "expected a number");
      v.Uint64 = static_cast<UINT64>(info[1].As<Napi::Number>().DoubleValue());
      break;
    case PropertyKind::Target:
      v.Target = Arg<BG_AUTH_TARGET>::Parse(info[1]);
      break;
    default:
      throw Napi::RangeError::New(info.Env(), "unknown BITS_JOB_PROPERTY_ID");
  }
  return Run<IBackgroundCopyJob5>(
      info, [id, v](IBackgroundCopyJob5* job, ObjectTable&, Call&) { return job->SetProperty(id, v); });
}
