#include "file.h"

Napi::Function File::Define(Napi::Env env) {
  return DefineClass(env, "File",
                     {
                         BITS_GET(File, "getRemoteName", IBackgroundCopyFile, LPWSTR, GetRemoteName),
                         BITS_GET(File, "getLocalName", IBackgroundCopyFile, LPWSTR, GetLocalName),
                         BITS_GET(File, "getProgress", IBackgroundCopyFile, BG_FILE_PROGRESS, GetProgress),
                         BITS_SET(File, "setRemoteName", IBackgroundCopyFile2, LPCWSTR, SetRemoteName),
                         BITS_METHOD(File, "getFileRanges", &File::GetFileRanges, IBackgroundCopyFile2, GetFileRanges),
                         BITS_GET(File, "getTemporaryName", IBackgroundCopyFile3, LPWSTR, GetTemporaryName),
                         BITS_GET(File, "getValidationState", IBackgroundCopyFile3, BOOL, GetValidationState),
                         BITS_SET(File, "setValidationState", IBackgroundCopyFile3, BOOL, SetValidationState),
                         BITS_GET(File, "isDownloadedFromPeer", IBackgroundCopyFile3, BOOL, IsDownloadedFromPeer),
                         InstanceMethod<&File::Close>("close"),
                     });
}

Napi::Value File::GetFileRanges(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyFile2>(info, [](IBackgroundCopyFile2* f, ObjectTable&, Call& call) {
    DWORD count = 0;
    BG_FILE_RANGE* ranges = nullptr;
    HRESULT hr = f->GetFileRanges(&count, &ranges);
    if (FAILED(hr)) return hr;
    call.result = NValue::Array();
    for (DWORD i = 0; i < count; i++) {
      call.result.Push(NValue::Object()
                           .Set("offset", NValue::Number(static_cast<double>(ranges[i].InitialOffset)))
                           .Set("length", ranges[i].Length == BG_LENGTH_TO_EOF
                                              ? NValue::Null()
                                              : NValue::Number(static_cast<double>(ranges[i].Length))));
    }
    CoTaskMemFree(ranges);
    return hr;
  });
}
