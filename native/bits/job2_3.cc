// Threads: the JS thread; the lambdas run on the COM pool threads.
//
// IBackgroundCopyJob2 (notify command line, reply data, credentials) and
// IBackgroundCopyJob3 (remote prefix, ranges). Their one-value getters and
// setters are entries in job.cc's table.
#include <memory>
#include <vector>

#include "bits/job.h"
#include "bits/returned.h"

namespace {

// A string that wipes its memory when it goes: passwords live only as long as the
// COM call that needs them, in as few copies as the lambda captures make.
struct Secret {
  std::wstring value;
  explicit Secret(std::wstring v) : value(std::move(v)) {}
  Secret(const Secret&) = delete;
  ~Secret() { SecureZeroMemory(value.data(), value.size() * sizeof(wchar_t)); }
};

}  // namespace

// BITS documents L"" for an unset program and parameters (Wine gives NULL):
// both are null here.
Napi::Value Job::GetNotifyCmdLine(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyJob2>(
      info,
      [](IBackgroundCopyJob2* job, ObjectTable&, Call& call) {
        LPWSTR program = nullptr, parameters = nullptr;
        HRESULT hr = job->GetNotifyCmdLine(&program, &parameters);
        NValue cmdLine = TakeNotifyCmdLine(program, parameters);  // freed whatever hr says
        if (SUCCEEDED(hr)) call.result = std::move(cmdLine);
        return hr;
      },
      true);
}

Napi::Value Job::SetNotifyCmdLine(const Napi::CallbackInfo& info) {
  auto program = OptionalString::Parse(info[0]);
  auto parameters = OptionalString::Parse(info[1]);
  return Run<IBackgroundCopyJob2>(info, [program, parameters](IBackgroundCopyJob2* job, ObjectTable&, Call&) {
    return job->SetNotifyCmdLine(program.get(), parameters.get());
  });
}

Napi::Value Job::GetReplyData(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyJob2>(
      info,
      [](IBackgroundCopyJob2* job, ObjectTable&, Call& call) {
        byte* data = nullptr;
        UINT64 length = 0;
        HRESULT hr = job->GetReplyData(&data, &length);
        NValue reply = TakeReplyData(data, length);  // freed whatever hr says
        if (SUCCEEDED(hr)) call.result = std::move(reply);
        return hr;
      },
      true);
}

Napi::Value Job::SetCredentials(const Napi::CallbackInfo& info) {
  auto target = Arg<BG_AUTH_TARGET>::Parse(info[0]);
  auto scheme = Arg<BG_AUTH_SCHEME>::Parse(info[1]);
  auto user = std::make_shared<Secret>(OptionalString::Parse(info[2]).value);
  bool hasUser = !info[2].IsNull() && !info[2].IsUndefined();
  bool hasPassword = !info[3].IsNull() && !info[3].IsUndefined();
  auto password = std::make_shared<Secret>(hasPassword ? Arg<LPCWSTR>::Parse(info[3]) : std::wstring());
  return Run<IBackgroundCopyJob2>(
      info, [target, scheme, user, hasUser, password, hasPassword](IBackgroundCopyJob2* job, ObjectTable&, Call&) {
        BG_AUTH_CREDENTIALS c{};
        c.Target = target;
        c.Scheme = scheme;
        c.Credentials.Basic.UserName = hasUser ? user->value.data() : nullptr;
        c.Credentials.Basic.Password = hasPassword ? password->value.data() : nullptr;
        return job->SetCredentials(&c);
      });
}

Napi::Value Job::RemoveCredentials(const Napi::CallbackInfo& info) {
  auto target = Arg<BG_AUTH_TARGET>::Parse(info[0]);
  auto scheme = Arg<BG_AUTH_SCHEME>::Parse(info[1]);
  return Run<IBackgroundCopyJob2>(info, [target, scheme](IBackgroundCopyJob2* job, ObjectTable&, Call&) {
    return job->RemoveCredentials(target, scheme);
  });
}

Napi::Value Job::ReplaceRemotePrefix(const Napi::CallbackInfo& info) {
  auto from = Arg<LPCWSTR>::Parse(info[0]);
  auto to = Arg<LPCWSTR>::Parse(info[1]);
  return Run<IBackgroundCopyJob3>(info, [from, to](IBackgroundCopyJob3* job, ObjectTable&, Call&) {
    return job->ReplaceRemotePrefix(from.c_str(), to.c_str());
  });
}

Napi::Value Job::AddFileWithRanges(const Napi::CallbackInfo& info) {
  auto remote = Arg<LPCWSTR>::Parse(info[0]);
  auto local = Arg<LPCWSTR>::Parse(info[1]);
  auto ranges = ParseRanges(info[2]);
  return Run<IBackgroundCopyJob3>(info, [remote, local, ranges](IBackgroundCopyJob3* job, ObjectTable&, Call&) {
    std::vector<BG_FILE_RANGE> copy = ranges;  // the method takes a non-const array
    return job->AddFileWithRanges(remote.c_str(), local.c_str(), static_cast<DWORD>(copy.size()), copy.data());
  });
}
