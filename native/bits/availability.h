// Threads: Availability on the JS thread; the readings run on a COM pool thread.
//
// What decides whether BITS can transfer for this process, read from Windows
// itself: the logon session of the process token, the BITS service's start type
// and state, container markers and BITS's Group Policy limits. lib/availability.ts
// turns these readings into a reason; nothing here decides.
#pragma once

#include <napi.h>
#include <windows.h>

#include <cstdint>

// availability(probeVersion): a promise of the readings. probeVersion also asks
// the service manager for each versioned BackgroundCopyManager class (this starts
// the service when it is demand-started, so only `bits doctor` asks).
Napi::Value Availability(const Napi::CallbackInfo& info);

constexpr int64_t kUnforced = -2;

// The test addon replaces readings through these (native/test/availability_hooks.cc):
// a value below 0 (kUnforced for userSession) leaves the real reading, a failed HRESULT makes that reading
// fail as Windows would. Never set in the product addon.
struct AvailabilityOverride {
  bool active = false;
  int64_t logonType = -1;           // SECURITY_LOGON_TYPE
  HRESULT lsaResult = S_OK;         // LsaGetLogonSessionData's failure
  int64_t groups = -1;              // the kGroup* bits below
  HRESULT groupsResult = S_OK;      // GetTokenInformation(TokenGroups)'s failure
  int64_t systemAccount = -1;       // 0 none, 1 LocalSystem, 2 LocalService, 3 NetworkService
  int64_t userSession = kUnforced;  // 1 the user has a session, 0 none, -1 unknown
  int64_t serviceStartType = -1;    // SERVICE_*_START
  int64_t serviceState = -1;        // SERVICE_RUNNING and so on
  HRESULT serviceResult = S_OK;     // OpenSCManager/OpenService/QueryServiceConfig's failure
  int64_t containerType = -1;       // the ContainerType value; 0 reads as absent
  int64_t containerService = -1;    // 1: the CExecSvc service exists
  int64_t policyZero = -1;          // a kPolicy* bit set: that BITS policy is 0
  HRESULT connectResult = S_OK;     // CoCreateInstance(BackgroundCopyManager) fails with it (a refusing BITS)
};
void SetAvailabilityOverride(const AvailabilityOverride& o);  // JS thread
// The forced failure of connecting to BITS, else S_OK. Any thread.
HRESULT ForcedConnectResult();

// Token groups (well-known SIDs) of the logon session.
constexpr uint32_t kGroupInteractive = 1;  // S-1-5-4
constexpr uint32_t kGroupService = 2;      // S-1-5-6
constexpr uint32_t kGroupBatch = 4;        // S-1-5-3
constexpr uint32_t kGroupNetwork = 8;      // S-1-5-2

// BITS Group Policy values (HKLM\SOFTWARE\Policies\Microsoft\Windows\BITS) set to 0.
constexpr uint32_t kPolicyMaxJobsPerMachine = 1;
constexpr uint32_t kPolicyMaxJobsPerUser = 2;
constexpr uint32_t kPolicyMaxFilesPerJob = 4;
