#include "runtime/errors.h"

#include <bits.h>

#include "runtime/object_table.h"
#include "runtime/strings.h"

namespace {

std::wstring Trim(std::wstring s) {
  while (!s.empty() && (s.back() == L'\r' || s.back() == L'\n' || s.back() == L' ' || s.back() == L'.')) s.pop_back();
  return s;
}

std::wstring FormatFrom(DWORD flags, HMODULE module, HRESULT hr) {
  LPWSTR text = nullptr;
  DWORD n = FormatMessageW(flags | FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_IGNORE_INSERTS, module,
                           static_cast<DWORD>(hr), 0, reinterpret_cast<LPWSTR>(&text), 0, nullptr);
  std::wstring r = n ? std::wstring(text, n) : std::wstring();
  if (text) LocalFree(text);
  return Trim(r);
}

// RPC failures mean the service is gone: asking it to describe them would only
// fail again, slowly.
bool IsDisconnection(HRESULT hr) {
  return HRESULT_FACILITY(hr) == FACILITY_RPC || hr == static_cast<HRESULT>(0x800706BA) ||
         hr == static_cast<HRESULT>(0x800706BE) || hr == static_cast<HRESULT>(0x800706BF) || hr == CO_E_OBJNOTCONNECTED;
}

}  // namespace

std::wstring SystemMessage(HRESULT hr) {
  std::wstring s = FormatFrom(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, hr);
  if (!s.empty()) return s;
  // BITS's message table lives in qmgr.dll on Windows.
  HMODULE qmgr = LoadLibraryExW(L"qmgr.dll", nullptr, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (qmgr) {
    s = FormatFrom(FORMAT_MESSAGE_FROM_HMODULE, qmgr, hr);
    FreeLibrary(qmgr);
  }
  return s;
}

std::wstring DescribeHResult(ObjectTable& objects, HRESULT hr) {
  if (!IsDisconnection(hr) && objects.describer()) {
    ComPtr<IBackgroundCopyManager> manager;
    if (SUCCEEDED(objects.Query(objects.describer(), &manager))) {
      LPWSTR text = nullptr;
      if (SUCCEEDED(manager->GetErrorDescription(hr, GetUserDefaultUILanguage(), &text))) {
        std::wstring s = Trim(TakeCoTaskString(text));
        if (!s.empty()) return s;
      }
    }
  }
  return SystemMessage(hr);
}
