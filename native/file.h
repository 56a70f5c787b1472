// BackgroundCopyFile's native half: IBackgroundCopyFile, and File2/File3 through
// QueryInterface where the system has them.
#pragma once

#include <napi.h>

#include "bits_extra.h"
#include "handle_wrap.h"

class File : public HandleWrap<File> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit File(const Napi::CallbackInfo& info) : HandleWrap<File>(info) {}

 private:
  Napi::Value GetFileRanges(const Napi::CallbackInfo& info);
  Napi::Value GetPeerDownloadStats(const Napi::CallbackInfo& info);
  Napi::Value GetResponseHeaders(const Napi::CallbackInfo& info);
  Napi::Value UpdateDownloadPosition(const Napi::CallbackInfo& info);
  Napi::Value RequestFileRanges(const Napi::CallbackInfo& info);
  Napi::Value GetFilledFileRanges(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info) { return HandleWrap<File>::Close(info); }
};
