// Threads: the JS thread.
//
// debugForceAvailability(spec | null): replaces readings of the product's
// availability() (native/bits/availability.cc) with the logon type, groups,
// service state, container markers, policy values or failed HRESULTs of `spec`,
// so that every branch of the reading and of lib's verdict runs where Windows
// cannot be put in that state (Wine, a CI runner). null restores the real readings.
#include <napi.h>

#include "bits/availability.h"
#include "test/test_hooks.h"

namespace {

int64_t Int(const Napi::Object& spec, const char* key) {
  Napi::Value v = spec.Get(key);
  if (v.IsUndefined()) return -1;
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  if (!v.IsNumber()) throw Napi::TypeError::New(spec.Env(), std::string(key) + " must be a number");
  return v.As<Napi::Number>().Int64Value();
}

HRESULT Hr(const Napi::Object& spec, const char* key) {
  int64_t v = Int(spec, key);
  return v < 0 ? S_OK : static_cast<HRESULT>(static_cast<uint32_t>(v));
}

Napi::Value DebugForceAvailability(const Napi::CallbackInfo& info) {
  AvailabilityOverride o;
  if (info[0].IsObject()) {
    Napi::Object spec = info[0].As<Napi::Object>();
    o.active = true;
    o.logonType = Int(spec, "logonType");
    o.lsaResult = Hr(spec, "lsaResult");
    o.groups = Int(spec, "groups");
    o.groupsResult = Hr(spec, "groupsResult");
    o.systemAccount = Int(spec, "systemAccount");
    // null: unknown (-1); absent: the real reading.
    Napi::Value session = spec.Get("userSession");
    o.userSession = session.IsUndefined() ? kUnforced : session.IsNull() ? -1 : Int(spec, "userSession");
    o.serviceStartType = Int(spec, "serviceStartType");
    o.serviceState = Int(spec, "serviceState");
    o.serviceResult = Hr(spec, "serviceResult");
    o.containerType = Int(spec, "containerType");
    o.containerService = Int(spec, "containerService");
    o.policyZero = Int(spec, "policyZero");
    o.connectResult = Hr(spec, "connectResult");
  } else if (!info[0].IsNull()) {
    throw Napi::TypeError::New(info.Env(), "expected debugForceAvailability(spec | null)");
  }
  SetAvailabilityOverride(o);
  return info.Env().Undefined();
}

}  // namespace

void RegisterAvailabilityExports(Napi::Env env, Napi::Object exports) {
  exports.Set("debugForceAvailability", Napi::Function::New<DebugForceAvailability>(env, "debugForceAvailability"));
}
