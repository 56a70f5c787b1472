/* Wine 8 has no bcryptprimitives.dll, and Rust programs since 1.78 import
 * ProcessPrng from it for their random numbers: without it, rolldown's native
 * win32 binding (which Vite 8 and so Vitest need) does not load under Wine. This
 * is the documented ProcessPrng over RtlGenRandom (advapi32!SystemFunction036).
 * Test environment only: scripts/wine.mjs puts it into the Wine prefix; it never
 * ships and BITS never sees it. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length) {
    ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    length -= n;
  }
  return TRUE;
}
