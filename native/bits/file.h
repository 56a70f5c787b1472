// BackgroundCopyFile's native half: IBackgroundCopyFile, and File2/File3 through
// QueryInterface where the system has them.
#pragma once

#include <napi.h>

#include "bits/bits_extra.h"
#include "runtime/handle_wrap.h"

class File : public HandleWrap<File> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit File(const Napi::CallbackInfo& info) : HandleWrap<File>(info) {}

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
  static NValue TakeRanges(DWORD count, BG_FILE_RANGE* ranges);
  Napi::Value GetPeerDownloadStats(const Napi::CallbackInfo& info);
  Napi::Value GetResponseHeaders(const Napi::CallbackInfo& info);
  Napi::Value UpdateDownloadPosition(const Napi::CallbackInfo& info);
  Napi::Value RequestFileRanges(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info) { return HandleWrap<File>::Close(info); }
};
