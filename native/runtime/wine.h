// Threads: any; the answer is fixed for the life of the process.
//
// Whether this process runs under Wine, and which Wine: Wine's ntdll exports
// wine_get_version, Windows' does not. The addon changes behaviour on it only
// where a Wine defect leaves no other way (the README's Wine list); the test
// addon reports it so that tests assert Wine's known gaps on Wine and real
// values on Windows.
#pragma once

#include <windows.h>

// Wine's version string ("8.0" and the like), or nullptr on Windows.
inline const char* WineVersion() {
  using WineGetVersion = const char*(__cdecl*)();
  static const WineGetVersion get = reinterpret_cast<WineGetVersion>(
      reinterpret_cast<void*>(GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version")));
  return get ? get() : nullptr;
}
