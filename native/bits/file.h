// Threads: the JS thread; the lambdas each method schedules run on the COM pool.
//
// BackgroundCopyFile's native half: IBackgroundCopyFile, and File2 to File6
// through QueryInterface where the system has them.
#pragma once

#include <napi.h>

#include <string>

#include "bits/bits_extra.h"
#include "bits/convert.h"
#include "runtime/handle_wrap.h"

class File : public HandleWrap<File> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit File(const Napi::CallbackInfo& info) : HandleWrap<File>(info) {}
  // The object as errors name it (HandleWrap::Describe).
  static std::string Describe(const NativeHandle&) { return "The file"; }

 private:
  // GetFileRanges (File2) and GetFilledFileRanges (File6) share one shape.
  template <class I, HRESULT (STDMETHODCALLTYPE I::*M)(DWORD*, BG_FILE_RANGE**)>
  Napi::Value GetRanges(const Napi::CallbackInfo& info) {
    return Run<I>(
        info,
        [](I* f, ObjectTable&, Call& call) {
          DWORD count = 0;
          BG_FILE_RANGE* ranges = nullptr;
          HRESULT hr = (f->*M)(&count, &ranges);
          if (SUCCEEDED(hr)) call.result = TakeRanges(count, ranges);
          return hr;
        },
        true);
  }
  Napi::Value GetPeerDownloadStats(const Napi::CallbackInfo& info);
  Napi::Value GetResponseHeaders(const Napi::CallbackInfo& info);
  Napi::Value UpdateDownloadPosition(const Napi::CallbackInfo& info);
  Napi::Value RequestFileRanges(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info) { return HandleWrap<File>::Close(info); }
  Napi::Value DescribeJs(const Napi::CallbackInfo& info) { return HandleWrap<File>::DescribeJs(info); }
};
