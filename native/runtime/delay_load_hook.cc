// Threads: whichever thread first calls a Node-API function: the JS thread,
// when the host loads the addon (Init is the first such call).
//
// MinGW build only (MSVC gets cmake-js's own hook). The addon imports Node-API
// from "node.exe" through delay-load; when the host executable has another name
// (electron.exe, a renamed node.exe), this points those imports at the process
// itself instead of a file named node.exe that does not exist.
#include <windows.h>

#include <delayimp.h>

static FARPROC WINAPI LoadExeHook(unsigned event, PDelayLoadInfo info) {
  if (event != dliNotePreLoadLibrary) return nullptr;
  if (lstrcmpiA(info->szDll, "node.exe") != 0) return nullptr;
  return reinterpret_cast<FARPROC>(GetModuleHandleW(nullptr));
}

PfnDliHook __pfnDliNotifyHook2 = LoadExeHook;
