// Threads: the JS thread; the lambdas run on the COM pool threads.
//
// IBackgroundCopyJob5's properties: one BITS_JOB_PROPERTY_VALUE union, whose
// member depends on the property id.
#include "bits/job.h"

namespace {

enum class PropertyKind { Dword, Guid, Bool, Uint64, Target, Unknown };

PropertyKind KindOf(BITS_JOB_PROPERTY_ID id) {
  switch (id) {
    case BITS_JOB_PROPERTY_ID_COST_FLAGS:
    case BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS:
      return PropertyKind::Dword;
    case BITS_JOB_PROPERTY_NOTIFICATION_CLSID:
      return PropertyKind::Guid;
    case BITS_JOB_PROPERTY_DYNAMIC_CONTENT:
    case BITS_JOB_PROPERTY_HIGH_PERFORMANCE:
    case BITS_JOB_PROPERTY_ON_DEMAND_MODE:
      return PropertyKind::Bool;
    case BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:
      return PropertyKind::Uint64;
    case BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS:
      return PropertyKind::Target;
    default:
      return PropertyKind::Unknown;
  }
}

}  // namespace

Napi::Value Job::GetProperty(const Napi::CallbackInfo& info) {
  auto id = Arg<BITS_JOB_PROPERTY_ID>::Parse(info[0]);
  if (KindOf(id) == PropertyKind::Unknown) throw Napi::RangeError::New(info.Env(), "unknown BITS_JOB_PROPERTY_ID");
  return Run<IBackgroundCopyJob5>(
      info,
      [id](IBackgroundCopyJob5* job, ObjectTable&, Call& call) {
        BITS_JOB_PROPERTY_VALUE v{};
        HRESULT hr = job->GetProperty(id, &v);
        if (FAILED(hr)) return hr;
        switch (KindOf(id)) {
          case PropertyKind::Dword:
            call.result = NValue::Number(v.Dword);
            break;
          case PropertyKind::Guid:
            call.result = ToNValue(v.ClsID);
            break;
          case PropertyKind::Bool:
            call.result = NValue::Bool(v.Enable != FALSE);
            break;
          case PropertyKind::Uint64:
            call.result = NValue::Number(static_cast<double>(v.Uint64));
            break;
          default:
            call.result = NValue::Number(static_cast<double>(v.Target));
        }
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
