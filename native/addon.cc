// The module: connect(), the wrapper classes, and a test-only view of what the
// addon holds (live COM references, calls in flight, Windows handles).
#include <napi.h>

#include "addon_state.h"
#include "job.h"
#include "file.h"
#include "manager.h"

namespace {

Napi::Value DebugStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonState* state = AddonState::From(env);
  DWORD handles = 0;
  GetProcessHandleCount(GetCurrentProcess(), &handles);
  Napi::Object o = Napi::Object::New(env);
  o.Set("liveComObjects", Napi::Number::New(env, static_cast<double>(state->thread()->liveObjects())));
  o.Set("processComObjects", Napi::Number::New(env, static_cast<double>(ObjectTable::processLive().load())));
  o.Set("pendingCalls", Napi::Number::New(env, static_cast<double>(state->pendingCalls())));
  o.Set("processHandles", Napi::Number::New(env, handles));
  o.Set("callbacksReceived", Napi::Number::New(env, static_cast<double>(NotifyCallback::received.load())));
  // Tests assert Wine's known gaps on Wine and real values on Windows.
  using WineGetVersion = const char*(__cdecl*)();
  auto wineVersion = reinterpret_cast<WineGetVersion>(
      reinterpret_cast<void*>(GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version")));
  o.Set("wine", wineVersion ? Napi::Value(Napi::String::New(env, wineVersion())) : env.Null());
  return o;
}

Napi::Value SetEventListener(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "expected a function");
  AddonState::From(info.Env())->events()->Listen(info.Env(), info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* state = new AddonState(env);
  env.SetInstanceData<AddonState>(state);
  Napi::Function manager = Manager::Define(env);
  Napi::Function job = Job::Define(env);
  state->managerCtor = Napi::Persistent(manager);
  state->jobCtor = Napi::Persistent(job);
  state->fileCtor = Napi::Persistent(File::Define(env));
  exports.Set("connect", Napi::Function::New<Manager::Connect>(env, "connect"));
  exports.Set("Manager", manager);
  exports.Set("Job", job);
  exports.Set("setEventListener", Napi::Function::New<SetEventListener>(env, "setEventListener"));
  exports.Set("debugStats", Napi::Function::New<DebugStats>(env, "debugStats"));
  return exports;
}

}  // namespace

NODE_API_MODULE(windows_bits, Init)
