// Job methods about files: EnumFiles, ReplaceRemotePrefix, AddFileWithRanges.
#include <vector>

#include "bits/enumerate.h"
#include "bits/job.h"

Napi::Value Job::EnumFiles(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyJob>(info, [](IBackgroundCopyJob* job, ObjectTable& objects, Call& call) {
    IEnumBackgroundCopyFiles* raw = nullptr;
    HRESULT hr = job->EnumFiles(&raw);
    if (FAILED(hr)) return hr;
    ComPtr<IEnumBackgroundCopyFiles> files = ComPtr<IEnumBackgroundCopyFiles>::Attach(raw);
    call.result = NValue::Array();
    return DrainEnumerator<IBackgroundCopyFile>(
        files.Get(), "IEnumBackgroundCopyFiles::Next", call, [&](IBackgroundCopyFile* file) {
          call.result.Push(NValue::Handle({HandleKind::File, objects.Add(file), L""}));
        });
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
  if (!info[2].IsArray()) throw Napi::TypeError::New(info.Env(), "expected an array of ranges");
  Napi::Array list = info[2].As<Napi::Array>();
  std::vector<BG_FILE_RANGE> ranges;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value item = list.Get(i);
    if (!item.IsObject()) throw Napi::TypeError::New(info.Env(), "expected {offset, length} objects");
    Napi::Object o = item.As<Napi::Object>();
    Napi::Value length = o.Get("length");
    if (!o.Get("offset").IsNumber()) throw Napi::TypeError::New(info.Env(), "expected a numeric offset");
    BG_FILE_RANGE r;
    r.InitialOffset = static_cast<UINT64>(o.Get("offset").As<Napi::Number>().DoubleValue());
    r.Length = length.IsNumber() ? static_cast<UINT64>(length.As<Napi::Number>().DoubleValue()) : BG_LENGTH_TO_EOF;
    ranges.push_back(r);
  }
  return Run<IBackgroundCopyJob3>(info, [remote, local, ranges](IBackgroundCopyJob3* job, ObjectTable&, Call&) {
    std::vector<BG_FILE_RANGE> copy = ranges;  // the method takes a non-const array
    return job->AddFileWithRanges(remote.c_str(), local.c_str(), static_cast<DWORD>(copy.size()), copy.data());
  });
}
