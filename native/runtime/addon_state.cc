#include "runtime/addon_state.h"

#include "runtime/errors.h"

void Completions::Push(std::shared_ptr<Call> call) {
  {
    std::lock_guard<std::mutex> g(mutex_);
    if (closed_) return;
    done_.push_back(std::move(call));
  }
  // One wake-up covers every completion queued before the JS thread drains, so a
  // burst of calls costs one hop to the JS thread, not one each.
  if (!wakePending_.exchange(true)) tsfn.NonBlockingCall();
}

std::deque<std::shared_ptr<Call>> Completions::Take() {
  wakePending_.store(false);
  std::lock_guard<std::mutex> g(mutex_);
  return std::move(done_);
}

void Completions::Close() {
  std::lock_guard<std::mutex> g(mutex_);
  closed_ = true;
  done_.clear();
}

AddonState::AddonState(Napi::Env env)
    : thread_(ComThread::Start()),
      completions_(std::make_shared<Completions>()),
      events_(std::make_shared<EventSink>()),
      callback_(new NotifyCallback(events_)) {
  completions_->tsfn = Napi::ThreadSafeFunction::New(env,
                                                     Napi::Function::New(env,
                                                                         [](const Napi::CallbackInfo& info) {
                                                                           AddonState* state =
                                                                               AddonState::From(info.Env());
                                                                           if (state) state->Drain(info.Env());
                                                                         }),
                                                     "windows-bits:completions", 0, 1);
  // Idle, the addon must not keep the process alive; a call in flight does.
  completions_->tsfn.Unref(env);
  env.AddCleanupHook([this]() { Shutdown(); });
  // process.exit() skips the cleanup hooks, and ExitProcess then kills the COM
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
  completions_->Close();
  events_->Close();
  // Stopping the thread unregisters the callback from every job that had it.
  thread_->Stop(std::chrono::milliseconds(5000));
  completions_->tsfn.Release();
  callback_->Release();  // our own object, not a proxy: any thread may release it
}

Napi::Value AddonState::Schedule(Napi::Env env, std::string method, Work work, uint64_t key, bool shared) {
  napi_deferred deferred;
  napi_value promise;
  NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &deferred, &promise), Napi::Value());
  auto call = std::make_shared<Call>();
  call->deferred = deferred;
  call->method = std::move(method);

  auto completions = completions_;
  HRESULT init = thread_->initResult();
  bool posted = !shutDown_ && thread_->Post(
                                  [call, work = std::move(work), completions, init](ObjectTable& objects) {
                                    call->hr = FAILED(init) ? init : work(objects, *call);
                                    if (FAILED(call->hr)) call->description = DescribeHResult(objects, call->hr);
                                    completions->Push(call);
                                  },
                                  key, shared);
  if (!posted) {
    call->hr = CO_E_NOTINITIALIZED;
    Settle(env, *call);
    return Napi::Value(env, promise);
  }
  if (pending_++ == 0) completions_->tsfn.Ref(env);
  return Napi::Value(env, promise);
}

void AddonState::Drain(Napi::Env env) {
  auto done = completions_->Take();
  for (auto& call : done) {
    Napi::HandleScope scope(env);
    Settle(env, *call);
    if (--pending_ == 0) completions_->tsfn.Unref(env);
  }
}

void AddonState::Settle(Napi::Env env, Call& call) {
  if (SUCCEEDED(call.hr)) {
    Napi::Value v = call.result.ToJs(env, [this](Napi::Env e, const NativeHandle& h) { return HandleToJs(e, h); });
    napi_resolve_deferred(env, call.deferred, v);
    return;
  }
  // lib/ turns this into a BitsError; the raw shape stays small and stable.
  Napi::Error err = Napi::Error::New(env, "");
  Napi::Object o = err.Value();
  o.Set("message",
        Napi::String::New(env, reinterpret_cast<const char16_t*>(call.description.data()), call.description.size()));
  o.Set("hresult", Napi::Number::New(env, static_cast<uint32_t>(call.hr)));
  o.Set("method", Napi::String::New(env, call.method));
  napi_reject_deferred(env, call.deferred, o);
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
