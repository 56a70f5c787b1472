// Threads: the JS thread; the lambdas each method schedules run on the COM pool.
//
// BackgroundCopyJob's native half: one object per job handle, with one method
// per BITS method. The class's method table is in job.cc; the methods are in
// one file per interface family: job.cc (IBackgroundCopyJob), job2_3.cc,
// job5.cc and http_options.cc. Job4's are one-line table entries.
#pragma once

#include <napi.h>

#include <string>

#include "bits/bits_extra.h"
#include "bits/convert.h"
#include "runtime/handle_wrap.h"

class Job : public HandleWrap<Job> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Job(const Napi::CallbackInfo& info) : HandleWrap<Job>(info) {}
  // The object as errors name it (HandleWrap::Describe): "Job {GUID}".
  static std::string Describe(const NativeHandle& h);

 private:
  // IBackgroundCopyJob (job.cc)
  Napi::Value GetId(const Napi::CallbackInfo& info);
  Napi::Value AddFile(const Napi::CallbackInfo& info);
  Napi::Value AddFileSet(const Napi::CallbackInfo& info);
  Napi::Value GetError(const Napi::CallbackInfo& info);
  Napi::Value GetStatus(const Napi::CallbackInfo& info);
  Napi::Value QueryInterface(const Napi::CallbackInfo& info);
  Napi::Value EnumFiles(const Napi::CallbackInfo& info);
  Napi::Value GetProxySettings(const Napi::CallbackInfo& info);
  Napi::Value SetProxySettings(const Napi::CallbackInfo& info);
  Napi::Value Subscribe(const Napi::CallbackInfo& info);
  Napi::Value Unsubscribe(const Napi::CallbackInfo& info);
  // IBackgroundCopyJob2 and 3 (job2_3.cc)
  Napi::Value GetNotifyCmdLine(const Napi::CallbackInfo& info);
  Napi::Value SetNotifyCmdLine(const Napi::CallbackInfo& info);
  Napi::Value GetReplyData(const Napi::CallbackInfo& info);
  Napi::Value SetCredentials(const Napi::CallbackInfo& info);
  Napi::Value RemoveCredentials(const Napi::CallbackInfo& info);
  Napi::Value ReplaceRemotePrefix(const Napi::CallbackInfo& info);
  Napi::Value AddFileWithRanges(const Napi::CallbackInfo& info);
  // IBackgroundCopyJob5 (job5.cc)
  Napi::Value GetProperty(const Napi::CallbackInfo& info);
  Napi::Value SetProperty(const Napi::CallbackInfo& info);
  // IBackgroundCopyJobHttpOptions 1-3 (http_options.cc)
  Napi::Value SetClientCertificateByID(const Napi::CallbackInfo& info);
  Napi::Value SetClientCertificateByName(const Napi::CallbackInfo& info);
  Napi::Value GetClientCertificate(const Napi::CallbackInfo& info);
  Napi::Value SetServerCertificateValidation(const Napi::CallbackInfo& info);

  Napi::Value Close(const Napi::CallbackInfo& info) { return HandleWrap<Job>::Close(info); }
  Napi::Value DescribeJs(const Napi::CallbackInfo& info) { return HandleWrap<Job>::DescribeJs(info); }
};
