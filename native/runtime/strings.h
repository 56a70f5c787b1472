// Threads: any. ToWide runs on the JS thread (it reads a JS value).
//
// UTF-16 at the boundary: BITS speaks WCHAR, and JS strings are UTF-16 too, so
// nothing is transcoded and lone surrogates survive the trip unchanged.
#pragma once

#include <napi.h>
#include <windows.h>
#include <objbase.h>

#include <string>

inline std::wstring ToWide(const Napi::Value& v) {
  std::u16string s = v.As<Napi::String>().Utf16Value();
  return std::wstring(s.begin(), s.end());
}

// Frees a CoTaskMem block when it leaves scope: exactly once, on every path,
// also when copying what it holds throws std::bad_alloc.
class CoTaskFree {
 public:
  explicit CoTaskFree(void* p) : p_(p) {}
  ~CoTaskFree() {
    if (p_) CoTaskMemFree(p_);
  }
  CoTaskFree(const CoTaskFree&) = delete;
  CoTaskFree& operator=(const CoTaskFree&) = delete;

 private:
  void* p_;
};

// Takes ownership of a CoTaskMem string as BITS returns it.
inline std::wstring TakeCoTaskString(LPWSTR s) {
  CoTaskFree owned(s);
  return s ? std::wstring(s) : std::wstring();
}

// Braces and upper case, the spelling of StringFromGUID2 and of bitsadmin's output.
std::wstring GuidToString(const GUID& g);
// Accepts only the braced canonical spelling: lib/ normalizes every other.
bool GuidFromString(const std::wstring& s, GUID* out);
