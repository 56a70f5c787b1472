// Threads: the JS thread; the lambdas each method schedules run on the COM pool.
//
// BackgroundCopyManager's native half: IBackgroundCopyManager's four methods.
#pragma once

#include <napi.h>
#include <bits.h>

#include <string>

#include "runtime/handle_wrap.h"

class Manager : public HandleWrap<Manager> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Value Connect(const Napi::CallbackInfo& info);
  explicit Manager(const Napi::CallbackInfo& info) : HandleWrap<Manager>(info) {}
  // The object as errors name it (HandleWrap::Describe).
  static std::string Describe(const NativeHandle&) { return "The BackgroundCopyManager"; }

 private:
  Napi::Value CreateJob(const Napi::CallbackInfo& info);
  Napi::Value GetJob(const Napi::CallbackInfo& info);
  Napi::Value EnumJobs(const Napi::CallbackInfo& info);
  Napi::Value GetErrorDescription(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info) { return HandleWrap<Manager>::Close(info); }
  Napi::Value DescribeJs(const Napi::CallbackInfo& info) { return HandleWrap<Manager>::DescribeJs(info); }
};
