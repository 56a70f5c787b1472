// Threads: any (GUID spelling, no Node-API).

#include "runtime/strings.h"

#include <objbase.h>

#include <cwctype>

std::wstring GuidToString(const GUID& g) {
  wchar_t buf[40];
  int n = StringFromGUID2(g, buf, 40);
  return n > 0 ? std::wstring(buf, n - 1) : std::wstring();
}

bool GuidFromString(const std::wstring& s, GUID* out) {
  if (s.size() != 38 || s[0] != L'{' || s[37] != L'}') return false;
  for (size_t i = 1; i < 37; i++) {
    bool dash = i == 9 || i == 14 || i == 19 || i == 24;
    if (dash ? s[i] != L'-' : !std::iswxdigit(s[i])) return false;
  }
  return SUCCEEDED(CLSIDFromString(s.c_str(), out));
}
