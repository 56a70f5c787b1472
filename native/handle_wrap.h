// The base of every JS object that stands for a COM object: it holds the table id
// and the COM thread, never a pointer. Garbage collection or close() posts the
// release to the COM thread.
#pragma once

#include <napi.h>

#include <memory>

#include "addon_state.h"

template <class T>
class HandleWrap : public Napi::ObjectWrap<T> {
 public:
  explicit HandleWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {
    if (info.Length() < 1 || !info[0].IsExternal()) {
      throw Napi::TypeError::New(info.Env(), "this class is created by the binding, not with new");
    }
    handle_ = *info[0].As<Napi::External<NativeHandle>>().Data();
    thread_ = AddonState::From(info.Env())->thread();
  }
  ~HandleWrap() override { ReleaseHandle(); }

 protected:
  uint64_t id() const { return handle_.id; }
  const NativeHandle& handle() const { return handle_; }
  bool closed() const { return handle_.id == 0; }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    ReleaseHandle();
    return info.Env().Undefined();
  }

  // Schedules work on the COM thread with this object's interface I.
  template <class I, class F>
  Napi::Value Run(const Napi::CallbackInfo& info, F fn) {
    return RunNamed<I>(info, static_cast<const char*>(info.Data()), std::move(fn));
  }

  template <class I, class F>
  Napi::Value RunNamed(const Napi::CallbackInfo& info, const char* method, F fn) {
    Napi::Env env = info.Env();
    if (closed()) {
      Napi::Error e = Napi::Error::New(env, "the object was closed");
      e.Set("code", Napi::String::New(env, "ERR_BITS_CLOSED"));
      throw e;
    }
    uint64_t id = handle_.id;
    return AddonState::From(env)->Schedule(env, method, [id, fn = std::move(fn)](ObjectTable& objects, Call& call) {
      I* p = nullptr;
      HRESULT hr = objects.Query(id, &p);
      if (FAILED(hr)) return hr;
      return fn(p, objects, call);
    });
  }

  void ReleaseHandle() {
    if (handle_.id == 0) return;
    uint64_t id = handle_.id;
    handle_.id = 0;
    // After shutdown the post fails, and the thread already released everything.
    if (thread_) thread_->Post([id](ObjectTable& objects) { objects.Release(id); });
  }

 private:
  NativeHandle handle_;
  std::shared_ptr<ComThread> thread_;
};
