// Threads: the JS thread; the lambdas run on the COM pool threads.
#include "bits/file.h"

#include "bits/returned.h"

#include <vector>

Napi::Function File::Define(Napi::Env env) {
  return DefineClass(
      env, "File",
      {
          BITS_GET(File, "getRemoteName", IBackgroundCopyFile, LPWSTR, GetRemoteName),
          BITS_GET(File, "getLocalName", IBackgroundCopyFile, LPWSTR, GetLocalName),
          BITS_GET(File, "getProgress", IBackgroundCopyFile, BG_FILE_PROGRESS, GetProgress),
          BITS_SET(File, "setRemoteName", IBackgroundCopyFile2, LPCWSTR, SetRemoteName),
          BITS_METHOD(File, "getFileRanges",
                      (&File::GetRanges<IBackgroundCopyFile2, &IBackgroundCopyFile2::GetFileRanges>),
                      IBackgroundCopyFile2, GetFileRanges),
          BITS_GET_NON_EMPTY_TEXT(File, "getTemporaryName", IBackgroundCopyFile3, GetTemporaryName),
          BITS_GET(File, "getValidationState", IBackgroundCopyFile3, BOOL, GetValidationState),
          BITS_SET(File, "setValidationState", IBackgroundCopyFile3, BOOL, SetValidationState),
          BITS_GET(File, "isDownloadedFromPeer", IBackgroundCopyFile3, BOOL, IsDownloadedFromPeer),
          BITS_METHOD(File, "getPeerDownloadStats", &File::GetPeerDownloadStats, IBackgroundCopyFile4,
                      GetPeerDownloadStats),
          BITS_METHOD(File, "getResponseHeaders", &File::GetResponseHeaders, IBackgroundCopyFile5, GetProperty),
          BITS_METHOD(File, "updateDownloadPosition", &File::UpdateDownloadPosition, IBackgroundCopyFile6,
                      UpdateDownloadPosition),
          BITS_METHOD(File, "requestFileRanges", &File::RequestFileRanges, IBackgroundCopyFile6, RequestFileRanges),
          BITS_METHOD(File, "getFilledFileRanges",
                      (&File::GetRanges<IBackgroundCopyFile6, &IBackgroundCopyFile6::GetFilledFileRanges>),
                      IBackgroundCopyFile6, GetFilledFileRanges),
          InstanceMethod<&File::Close>("close"),
          InstanceMethod<&File::DescribeJs>("describe"),
      });
}

Napi::Value File::GetPeerDownloadStats(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyFile4>(info, [](IBackgroundCopyFile4* f, ObjectTable&, Call& call) {
    UINT64 origin = 0, peers = 0;
    HRESULT hr = f->GetPeerDownloadStats(&origin, &peers);
    if (SUCCEEDED(hr)) call.result = PeerStatsToNValue(origin, peers);
    return hr;
  });
}

Napi::Value File::GetResponseHeaders(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyFile5>(info, [](IBackgroundCopyFile5* f, ObjectTable&, Call& call) {
    BITS_FILE_PROPERTY_VALUE v{};
    HRESULT hr = f->GetProperty(BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS, &v);
    NValue headers = TakeResponseHeaders(v);  // freed whatever hr says
    if (SUCCEEDED(hr)) call.result = std::move(headers);
    return hr;
  });
}

Napi::Value File::UpdateDownloadPosition(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "expected a number");
  UINT64 offset = static_cast<UINT64>(info[0].As<Napi::Number>().DoubleValue());
  return Run<IBackgroundCopyFile6>(
      info, [offset](IBackgroundCopyFile6* f, ObjectTable&, Call&) { return f->UpdateDownloadPosition(offset); });
}

Napi::Value File::RequestFileRanges(const Napi::CallbackInfo& info) {
  auto ranges = ParseRanges(info[0]);
  return Run<IBackgroundCopyFile6>(info, [ranges](IBackgroundCopyFile6* f, ObjectTable&, Call&) {
    return f->RequestFileRanges(static_cast<DWORD>(ranges.size()), ranges.data());
  });
}
