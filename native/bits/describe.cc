// Threads: see describe.h (COM pool threads and BITS's RPC threads).
#include "bits/describe.h"

#include "bits/bits_extra.h"
#include "runtime/errors.h"
#include "runtime/object_table.h"
#include "runtime/strings.h"

std::wstring BitsMessage(HRESULT hr) { return SystemMessage(hr, L"qmgr.dll"); }

std::wstring DescribeBitsFailure(ObjectTable& objects, HRESULT hr) {
  if (!IsDisconnection(hr) && objects.describer()) {
    ComPtr<IBackgroundCopyManager> manager;
    if (SUCCEEDED(objects.Query(objects.describer(), &manager))) {
      LPWSTR text = nullptr;
      if (SUCCEEDED(manager->GetErrorDescription(hr, GetUserDefaultUILanguage(), &text))) {
        std::wstring s = TrimMessage(TakeCoTaskString(text));
        if (!s.empty()) return s;
      }
    }
  }
  return BitsMessage(hr);
}
