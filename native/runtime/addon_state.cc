// Threads: the JS thread of the environment.
#include "runtime/addon_state.h"

#include "bits/callback.h"

AddonState::AddonState(Napi::Env env)
    : pool_(ComThreadPool::Start()),
      bridge_(std::make_unique<PromiseBridge>(env, pool_)),
      events_(std::make_shared<EventSink>()),
      closables_(std::make_shared<ClosableSet>()),
      callback_(new NotifyCallback(events_)) {
  env.AddCleanupHook([this]() { Shutdown(); });
  // process.exit() skips the cleanup hooks, and ExitProcess then kills the pool
  // threads wherever they are, possibly inside a COM call that holds a lock of
  // COM's own, which DLL detach then waits for forever (a hang at exit seen
  // under Wine). The 'exit' event comes first: the threads finish their calls
  // and release everything. The cleanup hook stays, for workers.
  Napi::Object process = env.Global().Get("process").As<Napi::Object>();
  process.Get("once").As<Napi::Function>().Call(
      process, {Napi::String::New(env, "exit"), Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                  if (AddonState* state = AddonState::From(info.Env())) state->Shutdown();
                })});
}

AddonState::~AddonState() { Shutdown(); }

void AddonState::Shutdown() {
  if (shutDown_) return;
  shutDown_ = true;
  bridge_->Close();
  events_->Close();
  // Validators first: from here on BITS's threads get a refusal at once, and
  // questions already waiting are answered.
  closables_->CloseAll();
  // Stopping the pool runs each job's release actions (unregistering the
  // callback and the validator from BITS) and releases every reference.
  pool_->Stop(std::chrono::milliseconds(5000));
  bridge_->Release();
  callback_->Release();  // our own object, not a proxy: any thread may release it
}

Napi::Value AddonState::HandleToJs(Napi::Env env, const NativeHandle& h) {
  Napi::FunctionReference* ctor = nullptr;
  switch (h.kind) {
    case HandleKind::Manager:
      ctor = &managerCtor;
      break;
    case HandleKind::Job:
      ctor = &jobCtor;
      break;
    case HandleKind::File:
      ctor = &fileCtor;
      break;
  }
  // The constructor takes the handle through an External so that JS code cannot
  // forge one: `new Job()` from JS has no External and throws.
  auto* copy = new NativeHandle(h);
  Napi::External<NativeHandle> ext =
      Napi::External<NativeHandle>::New(env, copy, [](Napi::Env, NativeHandle* p) { delete p; });
  return ctor->New({ext});
}
