// Threads: the JS thread; the lambdas given to Run execute on the COM pool.
//
// The base of every JS object that stands for a COM object: it holds the table id
// and the COM pool, never a pointer. Garbage collection or close() posts the
// release to the pool.
#pragma once

#include <napi.h>

#include <memory>
#include <type_traits>

#include "runtime/addon_state.h"
#include "runtime/scalars.h"
#include "runtime/errors.h"

// Table entries for DefineClass: a BITS method bound to a JS name, carrying
// "Interface::Method" for error messages. The cast lets a subclass list the
// base's templates (a pointer to a base member cannot be a template argument).
#define BITS_METHOD(Cls, js, fn, iface, method)                                                      \
  InstanceMethod(js, static_cast<Napi::Value (Cls::*)(const Napi::CallbackInfo&)>(fn), napi_default, \
                 const_cast<char*>(#iface "::" #method))
#define BITS_GET(Cls, js, iface, type, method) \
  BITS_METHOD(Cls, js, (&Cls::template Get<iface, type, &iface::method>), iface, method)
#define BITS_SET(Cls, js, iface, type, method) \
  BITS_METHOD(Cls, js, (&Cls::template Set<iface, type, &iface::method>), iface, method)
#define BITS_DO(Cls, js, iface, method) BITS_METHOD(Cls, js, (&Cls::template Do<iface, &iface::method>), iface, method)
#define BITS_GET_NON_EMPTY_TEXT(Cls, js, iface, method) \
  BITS_METHOD(Cls, js, (&Cls::template GetNonEmptyText<iface, &iface::method>), iface, method)

template <class Self>
class HandleWrap : public Napi::ObjectWrap<Self> {
 public:
  explicit HandleWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Self>(info) {
    if (info.Length() < 1 || !info[0].IsExternal()) {
      throw Napi::TypeError::New(info.Env(), "this class is created by the binding, not with new");
    }
    handle_ = *info[0].As<Napi::External<NativeHandle>>().Data();
    pool_ = AddonState::From(info.Env())->pool();
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

  // describe(): the one name of the object in errors, Self::Describe. The
  // addon's ObjectClosedError and lib's (lib/handle.ts) both use it. Answers
  // after close() too: it reads only what the handle keeps.
  Napi::Value DescribeJs(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), Self::Describe(handle_));
  }

  // Schedules work on the pool with this object's interface I.
  // shared: the call only reads, and may run beside other reads of this object.
  template <class I, class F>
  Napi::Value Run(const Napi::CallbackInfo& info, F fn, bool shared = false) {
    return RunNamed<I>(info, static_cast<const char*>(info.Data()), std::move(fn), shared);
  }

  template <class I, class F>
  Napi::Value RunNamed(const Napi::CallbackInfo& info, const char* method, F fn, bool shared = false) {
    Napi::Env env = info.Env();
    if (closed()) throw ObjectClosed(env, Self::Describe(handle_));
    uint64_t id = handle_.id;
    return AddonState::From(env)->Schedule(
        env, method,
        [id, fn = std::move(fn)](ObjectTable& objects, Call& call) {
          ComPtr<I> p;
          HRESULT hr = objects.Query(id, &p);
          if (FAILED(hr)) return hr;
          return fn(p.Get(), objects, call);
        },
        id, shared);
  }

  // One template per common shape of BITS method, so that most methods are one
  // line in a class's property table: a getter through an out-pointer, a setter
  // of one value, and a method without arguments.
  template <class I, class T, HRESULT (STDMETHODCALLTYPE I::*M)(T*)>
  Napi::Value Get(const Napi::CallbackInfo& info) {
    return this->template Run<I>(
        info,
        [](I* p, ObjectTable&, Call& call) {
          T v{};
          HRESULT hr = (p->*M)(&v);
          if (SUCCEEDED(hr)) {
            if constexpr (std::is_same_v<T, BOOL>) {
              call.result = BoolToNValue(v);
            } else {
              call.result = ToNValue(v);
            }
          }
          return hr;
        },
        true);
  }

  template <class I, class T, HRESULT (STDMETHODCALLTYPE I::*M)(T)>
  Napi::Value Set(const Napi::CallbackInfo& info) {
    auto value = Arg<T>::Parse(info[0]);
    return this->template Run<I>(info, [value](I* p, ObjectTable&, Call&) { return (p->*M)(Arg<T>::Pass(value)); });
  }

  // A string where NULL or "" means "none": resolves null then.
  template <class I, HRESULT (STDMETHODCALLTYPE I::*M)(LPWSTR*)>
  Napi::Value GetNonEmptyText(const Napi::CallbackInfo& info) {
    return this->template Run<I>(
        info,
        [](I* p, ObjectTable&, Call& call) {
          LPWSTR text = nullptr;
          HRESULT hr = (p->*M)(&text);
          call.result = NonEmptyTextOrNull(text);  // frees text whatever hr says
          return hr;
        },
        true);
  }

  template <class I, HRESULT (STDMETHODCALLTYPE I::*M)()>
  Napi::Value Do(const Napi::CallbackInfo& info) {
    // Success codes carry news (BG_S_PARTIAL_COMPLETE, BG_S_UNABLE_TO_DELETE_FILES):
    // resolve with the HRESULT so lib/ can report them.
    return this->template Run<I>(info, [](I* p, ObjectTable&, Call& call) {
      HRESULT hr = (p->*M)();
      call.result = NValue::Number(static_cast<uint32_t>(hr));
      return hr;
    });
  }

  void ReleaseHandle() {
    if (handle_.id == 0) return;
    uint64_t id = handle_.id;
    handle_.id = 0;
    // After shutdown the post fails, and the pool already released everything.
    // Keyed by the object: it runs after the calls already queued on it.
    if (pool_) pool_->Post([id](ObjectTable& objects) { objects.Release(id); }, id, false);
  }

 private:
  NativeHandle handle_;
  std::shared_ptr<ComThreadPool> pool_;
};
