// Threads: the JS thread of the environment.
#include "runtime/addon_state.h"

AddonState::AddonState(Napi::Env env, const AddonParts& parts)
    : pool_(ComThreadPool::Start()),
      bridge_(std::make_unique<PromiseBridge>(env, pool_, parts.describeError)),
      events_(std::make_shared<EventSink>()),
      closables_(std::make_shared<ClosableSet>()),
      notifier_(parts.makeNotifier(events_)) {
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
  // A service may still hold references to the notifier (the module may leave it
  // registered where taking it away would race the service, bits/job.cc). Once
  // every job's release action has run, cut those references while this module
  // is loaded: a later call or Release from the service then fails in COM, and
  // never reaches code that a worker's exit has unloaded.
  notifier_->AddRef();
  pool_->AtLastOut([notifier = notifier_]() {
    CoDisconnectObject(notifier, 0);
    notifier->Release();
  });
  // Stopping the pool runs each job's release actions (unregistering the
  // callback and the validator from BITS) and releases every reference.
  pool_->Stop(std::chrono::milliseconds(5000));
  bridge_->Release();
  notifier_->Release();  // our own object, not a proxy: any thread may release it
}

void AddonState::SetWrapperClass(uint32_t kind, Napi::Function ctor) {
  if (wrapperClasses_.size() <= kind) wrapperClasses_.resize(kind + 1);
  wrapperClasses_[kind] = Napi::Persistent(ctor);
}

Napi::Value AddonState::HandleToJs(Napi::Env env, const NativeHandle& h) {
  if (h.kind >= wrapperClasses_.size() || wrapperClasses_[h.kind].IsEmpty()) {
    throw Napi::Error::New(env, "no wrapper class registered for this handle");
  }
  // The constructor takes the handle through an External so that JS code cannot
  // forge one: `new Job()` from JS has no External and throws.
  auto* copy = new NativeHandle(h);
  Napi::External<NativeHandle> ext =
      Napi::External<NativeHandle>::New(env, copy, [](Napi::Env, NativeHandle* p) { delete p; });
  return wrapperClasses_[h.kind].New({ext});
}
