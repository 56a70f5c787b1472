// Threads: the JS thread of each environment that loads the addon.
//
// The module: per-environment state, into which it plugs what names BITS (the
// callback object, the error describer, the wrapper classes), and the product's
// exports (connect, setEventListener, setErrorClasses, availability; scripts/product-exports.mjs
// is the list every check of a build reads). The
// test build (WINDOWS_BITS_TEST, build/test/windows_bits_test.node) adds the
// test-only exports of native/test/.
#include <napi.h>

#include "bits/callback.h"
#include "bits/describe.h"
#include "bits/availability.h"
#include "bits/file.h"
#include "bits/job.h"
#include "bits/manager.h"
#include "runtime/addon_state.h"
#include "runtime/errors.h"

#ifdef WINDOWS_BITS_TEST
#include "test/test_hooks.h"
#endif

namespace {

Napi::Value SetEventListener(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "expected a function");
  AddonState::From(info.Env())->events()->Listen(info.Env(), info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  AddonParts parts;
  parts.makeNotifier = &NotifyCallback::Make;
  parts.describeError = &DescribeBitsFailure;
  auto* state = new AddonState(env, parts);
  env.SetInstanceData<AddonState>(state);
  // The classes are not exported: their objects come only from the addon.
  state->SetWrapperClass(static_cast<uint32_t>(HandleKind::Manager), Manager::Define(env));
  state->SetWrapperClass(static_cast<uint32_t>(HandleKind::Job), Job::Define(env));
  state->SetWrapperClass(static_cast<uint32_t>(HandleKind::File), File::Define(env));
  exports.Set("connect", Napi::Function::New<Manager::Connect>(env, "connect"));
  exports.Set("setEventListener", Napi::Function::New<SetEventListener>(env, "setEventListener"));
  exports.Set("setErrorClasses", Napi::Function::New<SetErrorClasses>(env, "setErrorClasses"));
  exports.Set("availability", Napi::Function::New<Availability>(env, "availability"));
#ifdef WINDOWS_BITS_TEST
  RegisterTestExports(env, exports);
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(windows_bits, Init)
