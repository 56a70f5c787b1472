// BackgroundCopyJob's native half: one object per job handle, with one method
// per BITS method. Simple getters and setters share the templates below.
#pragma once

#include <napi.h>
#include <bits.h>
#include <bits1_5.h>
#include <bits2_0.h>
#include <bits2_5.h>
#include <bits3_0.h>

#include "convert.h"
#include "handle_wrap.h"

class Job : public HandleWrap<Job> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Job(const Napi::CallbackInfo& info) : HandleWrap<Job>(info) {}

 private:
  template <class I, class T, HRESULT (STDMETHODCALLTYPE I::*M)(T*)>
  Napi::Value Get(const Napi::CallbackInfo& info) {
    return Run<I>(info, [](I* p, ObjectTable&, Call& call) {
      T v{};
      HRESULT hr = (p->*M)(&v);
      if (SUCCEEDED(hr)) call.result = ToNValue(v);
      return hr;
    });
  }

  template <class I, class T, HRESULT (STDMETHODCALLTYPE I::*M)(T)>
  Napi::Value Set(const Napi::CallbackInfo& info) {
    auto value = Arg<T>::Parse(info[0]);
    return Run<I>(info, [value](I* p, ObjectTable&, Call&) { return (p->*M)(Arg<T>::Pass(value)); });
  }

  template <class I, HRESULT (STDMETHODCALLTYPE I::*M)()>
  Napi::Value Do(const Napi::CallbackInfo& info) {
    // Success codes carry news (BG_S_PARTIAL_COMPLETE, BG_S_UNABLE_TO_DELETE_FILES):
    // resolve with the HRESULT so lib/ can report them.
    return Run<I>(info, [](I* p, ObjectTable&, Call& call) {
      HRESULT hr = (p->*M)();
      call.result = NValue::Number(static_cast<uint32_t>(hr));
      return hr;
    });
  }

  Napi::Value GetId(const Napi::CallbackInfo& info);
  Napi::Value AddFile(const Napi::CallbackInfo& info);
  Napi::Value AddFileSet(const Napi::CallbackInfo& info);
  Napi::Value GetError(const Napi::CallbackInfo& info);
  Napi::Value QueryInterface(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info) { return HandleWrap<Job>::Close(info); }
};
