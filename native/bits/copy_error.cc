// Threads: see copy_error.h (COM pool threads and BITS's RPC threads).
#include "bits/copy_error.h"

#include "bits/describe.h"
#include "runtime/com_ptr.h"
#include "runtime/impersonation.h"
#include "runtime/scalars.h"

HRESULT ReadCopyError(IBackgroundCopyError* error, NValue* out) {
  if (!error) return E_POINTER;
  EnsureImpersonation(error);
  BG_ERROR_CONTEXT context = BG_ERROR_CONTEXT_NONE;
  HRESULT code = S_OK;
  HRESULT hr = error->GetError(&context, &code);
  if (FAILED(hr)) return hr;
  DWORD lang = GetUserDefaultUILanguage();
  LPWSTR text = nullptr;
  NValue description = SUCCEEDED(error->GetErrorDescription(lang, &text)) ? TextOrNull(text) : NValue::Null();
  text = nullptr;
  NValue contextDescription =
      SUCCEEDED(error->GetErrorContextDescription(lang, &text)) ? TextOrNull(text) : NValue::Null();
  text = nullptr;
  NValue protocol = SUCCEEDED(error->GetProtocol(&text)) ? TextOrNull(text) : NValue::Null();
  NValue file = NValue::Null();
  IBackgroundCopyFile* rawFile = nullptr;
  if (SUCCEEDED(error->GetFile(&rawFile)) && rawFile) {
    ComPtr<IBackgroundCopyFile> f = ComPtr<IBackgroundCopyFile>::Attach(rawFile);
    EnsureImpersonation(f.Get());
    LPWSTR remote = nullptr, local = nullptr;
    file = NValue::Object();
    file.Set("remoteName", SUCCEEDED(f->GetRemoteName(&remote)) ? TextOrNull(remote) : NValue::Null());
    file.Set("localName", SUCCEEDED(f->GetLocalName(&local)) ? TextOrNull(local) : NValue::Null());
  }
  *out = NValue::Object()
             .Set("context", ToNValue(context))
             .Set("hresult", NValue::Number(static_cast<uint32_t>(code)))
             .Set("description", std::move(description))
             .Set("systemDescription", NValue::String(BitsMessage(code)))
             .Set("contextDescription", std::move(contextDescription))
             .Set("protocol", std::move(protocol))
             .Set("file", std::move(file));
  return S_OK;
}

HRESULT ReadJobError(IBackgroundCopyJob* job, Call& call, NValue* out) {
  IBackgroundCopyError* raw = nullptr;
  HRESULT hr = job->GetError(&raw);
  if (hr == static_cast<HRESULT>(BG_E_ERROR_INFORMATION_UNAVAILABLE)) {
    *out = NValue::Null();
    return S_OK;
  }
  if (FAILED(hr)) {
    call.method = "IBackgroundCopyJob::GetError";
    return hr;
  }
  ComPtr<IBackgroundCopyError> error = ComPtr<IBackgroundCopyError>::Attach(raw);
  hr = ReadCopyError(error.Get(), out);
  if (FAILED(hr)) call.method = "IBackgroundCopyError::GetError";
  return hr;
}
