// Threads: see promise_bridge.h (JS thread, except the posted lambda and
// Completions::Push, which run on the COM pool threads).
#include "runtime/promise_bridge.h"

#include <new>

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

PromiseBridge::PromiseBridge(Napi::Env env, std::shared_ptr<ComThreadPool> pool, ErrorDescriber describeError)
    : pool_(std::move(pool)), completions_(std::make_shared<Completions>()), describeError_(describeError) {
  completions_->tsfn =
      Napi::ThreadSafeFunction::New(env,
                                    Napi::Function::New(env,
                                                        [](const Napi::CallbackInfo& info) {
                                                          if (AddonState* state = AddonState::From(info.Env()))
                                                            state->bridge().Drain(info.Env());
                                                        }),
                                    "windows-bits:completions", 0, 1);
  // Idle, the addon must not keep the process alive; a call in flight does.
  completions_->tsfn.Unref(env);
}

Napi::Value PromiseBridge::Schedule(Napi::Env env, std::string method, Work work, uint64_t key, bool shared) {
  napi_deferred deferred;
  napi_value promise;
  NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &deferred, &promise), Napi::Value());
  auto call = std::make_shared<Call>();
  call->deferred = deferred;
  call->method = std::move(method);

  auto completions = completions_;
  HRESULT init = pool_->initResult();
  ErrorDescriber describe = describeError_;
  bool posted = !closed_ && pool_->Post(
                                [call, work = std::move(work), completions, init, describe](ObjectTable& objects) {
                                  // A C++ exception from the work must settle the promise, not
                                  // end the pool thread: the caller would wait forever.
                                  try {
                                    call->hr = FAILED(init) ? init : work(objects, *call);
                                  } catch (const std::bad_alloc&) {
                                    call->hr = E_OUTOFMEMORY;
                                  } catch (...) {
                                    call->hr = E_UNEXPECTED;
                                  }
                                  if (FAILED(call->hr)) {
                                    try {
                                      call->description = DescribeHResult(describe, objects, call->hr);
                                    } catch (...) {
                                      call->description.clear();  // the class's built-in text then
                                    }
                                  }
                                  completions->Push(call);
                                },
                                key, shared);
  if (!posted) {
    call->hr = CO_E_NOTINITIALIZED;
    Settle(env, *call);
    return Napi::Value(env, promise);
  }
  scheduled_++;
  if (pending_++ == 0) completions_->tsfn.Ref(env);
  return Napi::Value(env, promise);
}

void PromiseBridge::Drain(Napi::Env env) {
  auto done = completions_->Take();
  for (auto& call : done) {
    Napi::HandleScope scope(env);
    Settle(env, *call);
    if (--pending_ == 0) completions_->tsfn.Unref(env);
  }
}

void PromiseBridge::Settle(Napi::Env env, Call& call) {
  if (SUCCEEDED(call.hr)) {
    AddonState* state = AddonState::From(env);
    Napi::Value v =
        call.result.ToJs(env, [state](Napi::Env e, const NativeHandle& h) { return state->HandleToJs(e, h); });
    napi_resolve_deferred(env, call.deferred, v);
    return;
  }
  napi_reject_deferred(env, call.deferred, CallError(env, call.hr, call.method, call.description));
}

void PromiseBridge::Close() {
  closed_ = true;
  completions_->Close();
}

void PromiseBridge::Release() { completions_->tsfn.Release(); }
