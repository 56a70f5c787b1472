// Threads: the COM pool threads and BITS's RPC threads (wherever an interface
// from BITS is first touched).
//
// BITS needs at least IDENTIFY impersonation on its proxies. That is COM's
// default, but a host may have lowered it process-wide with CoInitializeSecurity,
// which belongs to the host and is never called here. The blanket is per proxy,
// so every interface received from BITS is checked: the ones the object table
// keeps, and the ones BITS hands into callbacks, enumerators and error objects
// (Microsoft's "Connecting to the BITS Service"). A local object has no blanket.
#pragma once

#include <windows.h>
#include <objbase.h>
#include <unknwn.h>

inline void EnsureImpersonation(IUnknown* p) {
  if (!p) return;
  DWORD level = 0;
  if (FAILED(CoQueryProxyBlanket(p, nullptr, nullptr, nullptr, nullptr, &level, nullptr, nullptr))) return;
  if (level >= RPC_C_IMP_LEVEL_IDENTIFY) return;
  CoSetProxyBlanket(p, RPC_C_AUTHN_DEFAULT, RPC_C_AUTHZ_DEFAULT, COLE_DEFAULT_PRINCIPAL, RPC_C_AUTHN_LEVEL_DEFAULT,
                    RPC_C_IMP_LEVEL_IMPERSONATE, nullptr, EOAC_DEFAULT);
}
