// Threads: Availability and SetAvailabilityOverride on the JS thread; the
// readings (Read*) on a COM pool thread.
//
// Microsoft's rule, from "Users and Network Connections" (BITS): BITS transfers
// only while the job owner is logged on with an interactive logon (console,
// Remote Desktop, fast user switching); RunAs is no interactive logon; the
// LocalSystem, LocalService and NetworkService accounts are always logged on.
// https://learn.microsoft.com/windows/win32/bits/users-and-network-connections
// So the readings are the process token's logon session (LsaGetLogonSessionData,
// else the token's INTERACTIVE/SERVICE/BATCH/NETWORK groups), the token's user
// (a system account?), and whether that user has a Remote Desktop Services
// session anywhere (then BITS runs the user's jobs even from this process).
#include "bits/availability.h"

// clang-format off
#include <windows.h>
#include <ntsecapi.h>
#include <wtsapi32.h>
// clang-format on

#include <mutex>
#include <vector>

#include "runtime/addon_state.h"

namespace {

std::mutex overrideMutex;
AvailabilityOverride forced;  // guarded by overrideMutex

AvailabilityOverride Forced() {
  std::lock_guard<std::mutex> g(overrideMutex);
  return forced;
}

HRESULT FromNtStatus(NTSTATUS status) { return HRESULT_FROM_WIN32(LsaNtStatusToWinError(status)); }

HRESULT LastError() { return HRESULT_FROM_WIN32(GetLastError()); }

class Token {
 public:
  Token() {
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &h_)) h_ = nullptr;
  }
  ~Token() {
    if (h_) CloseHandle(h_);
  }
  Token(const Token&) = delete;
  Token& operator=(const Token&) = delete;
  HANDLE get() const { return h_; }

  // The TOKEN_INFORMATION_CLASS block, or empty with the failure in *hr.
  std::vector<BYTE> Info(TOKEN_INFORMATION_CLASS cls, HRESULT* hr) const {
    std::vector<BYTE> buf;
    if (!h_) {
      *hr = E_HANDLE;
      return buf;
    }
    DWORD needed = 0;
    GetTokenInformation(h_, cls, nullptr, 0, &needed);
    if (needed == 0) {
      *hr = LastError();
      return buf;
    }
    buf.resize(needed);
    if (!GetTokenInformation(h_, cls, buf.data(), needed, &needed)) {
      *hr = LastError();
      buf.clear();
      return buf;
    }
    *hr = S_OK;
    return buf;
  }

 private:
  HANDLE h_ = nullptr;
};

// The logon type of the token's own session (SECURITY_LOGON_TYPE).
HRESULT ReadLogonType(const Token& token, ULONG* type) {
  HRESULT hr;
  std::vector<BYTE> stats = token.Info(TokenStatistics, &hr);
  if (FAILED(hr)) return hr;
  LUID session = reinterpret_cast<TOKEN_STATISTICS*>(stats.data())->AuthenticationId;
  PSECURITY_LOGON_SESSION_DATA data = nullptr;
  NTSTATUS status = LsaGetLogonSessionData(&session, &data);
  if (status != 0) return FromNtStatus(status);
  *type = data->LogonType;
  LsaFreeReturnBuffer(data);
  return S_OK;
}

bool HasWellKnown(const TOKEN_GROUPS* groups, WELL_KNOWN_SID_TYPE type) {
  BYTE sid[SECURITY_MAX_SID_SIZE];
  DWORD size = sizeof(sid);
  if (!CreateWellKnownSid(type, nullptr, sid, &size)) return false;
  for (DWORD i = 0; i < groups->GroupCount; i++) {
    if ((groups->Groups[i].Attributes & SE_GROUP_ENABLED) && EqualSid(groups->Groups[i].Sid, sid)) return true;
  }
  return false;
}

HRESULT ReadGroups(const Token& token, uint32_t* bits) {
  HRESULT hr;
  std::vector<BYTE> buf = token.Info(TokenGroups, &hr);
  if (FAILED(hr)) return hr;
  const auto* groups = reinterpret_cast<const TOKEN_GROUPS*>(buf.data());
  *bits = (HasWellKnown(groups, WinInteractiveSid) ? kGroupInteractive : 0) |
          (HasWellKnown(groups, WinServiceSid) ? kGroupService : 0) |
          (HasWellKnown(groups, WinBatchSid) ? kGroupBatch : 0) |
          (HasWellKnown(groups, WinNetworkSid) ? kGroupNetwork : 0);
  return S_OK;
}

// 1 LocalSystem, 2 LocalService, 3 NetworkService, 0 any other account. Also
// gives the user's SID for the search of other sessions.
uint32_t ReadSystemAccount(const Token& token, std::vector<BYTE>* user) {
  HRESULT hr;
  *user = token.Info(TokenUser, &hr);
  if (FAILED(hr)) return 0;
  PSID sid = reinterpret_cast<TOKEN_USER*>(user->data())->User.Sid;
  if (IsWellKnownSid(sid, WinLocalSystemSid)) return 1;
  if (IsWellKnownSid(sid, WinLocalServiceSid)) return 2;
  if (IsWellKnownSid(sid, WinNetworkServiceSid)) return 3;
  return 0;
}

// Whether the token's user has a Remote Desktop Services session (the console,
// a Remote Desktop session, a fast-user-switching session, connected or not):
// that is the logon BITS waits for, wherever this process itself runs. A RunAs
// process has an LSA "interactive" logon but its user has no such session.
// 1 yes, 0 no, -1 unknown (no session names any user, as in a stripped-down
// system, or the enumeration failed).
int ReadUserSession(const std::vector<BYTE>& user) {
  if (user.empty()) return -1;
  PSID sid = reinterpret_cast<const TOKEN_USER*>(user.data())->User.Sid;
  wchar_t name[256], domain[256];
  DWORD nameLen = 256, domainLen = 256;
  SID_NAME_USE use;
  if (!LookupAccountSidW(nullptr, sid, name, &nameLen, domain, &domainLen, &use)) return -1;
  // wtsapi32.dll is loaded here, not linked: Server Core and Nano Server
  // containers may lack it, and the addon must load there all the same.
  HMODULE wts = LoadLibraryExW(L"wtsapi32.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (!wts) return -1;
  auto enumerate = reinterpret_cast<decltype(&WTSEnumerateSessionsW)>(
      reinterpret_cast<void*>(GetProcAddress(wts, "WTSEnumerateSessionsW")));
  auto query = reinterpret_cast<decltype(&WTSQuerySessionInformationW)>(
      reinterpret_cast<void*>(GetProcAddress(wts, "WTSQuerySessionInformationW")));
  auto release =
      reinterpret_cast<decltype(&WTSFreeMemory)>(reinterpret_cast<void*>(GetProcAddress(wts, "WTSFreeMemory")));
  PWTS_SESSION_INFOW sessions = nullptr;
  DWORD count = 0;
  if (!enumerate || !query || !release || !enumerate(WTS_CURRENT_SERVER_HANDLE, 0, 1, &sessions, &count)) {
    FreeLibrary(wts);
    return -1;
  }
  bool anyUser = false, found = false;
  for (DWORD i = 0; i < count && !found; i++) {
    LPWSTR who = nullptr, where = nullptr;
    DWORD bytes = 0;
    if (query(WTS_CURRENT_SERVER_HANDLE, sessions[i].SessionId, WTSUserName, &who, &bytes) && who && *who) {
      anyUser = true;
      if (query(WTS_CURRENT_SERVER_HANDLE, sessions[i].SessionId, WTSDomainName, &where, &bytes) && where) {
        found = _wcsicmp(who, name) == 0 && _wcsicmp(where, domain) == 0;
      }
    }
    if (who) release(who);
    if (where) release(where);
  }
  release(sessions);
  FreeLibrary(wts);
  return found ? 1 : anyUser ? 0 : -1;
}

class ServiceHandle {
 public:
  explicit ServiceHandle(SC_HANDLE h) : h_(h) {}
  ~ServiceHandle() {
    if (h_) CloseServiceHandle(h_);
  }
  ServiceHandle(const ServiceHandle&) = delete;
  ServiceHandle& operator=(const ServiceHandle&) = delete;
  SC_HANDLE get() const { return h_; }

 private:
  SC_HANDLE h_;
};

// The BITS service through the service manager: start type (QueryServiceConfig)
// and state (QueryServiceStatusEx). Also whether CExecSvc, the container
// execution agent that Windows containers run, is installed.
HRESULT ReadService(DWORD* startType, DWORD* state, bool* containerService) {
  ServiceHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  if (!scm.get()) return LastError();
  ServiceHandle cexec(OpenServiceW(scm.get(), L"CExecSvc", SERVICE_QUERY_STATUS));
  *containerService = cexec.get() != nullptr;
  ServiceHandle bits(OpenServiceW(scm.get(), L"BITS", SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS));
  if (!bits.get()) return LastError();
  DWORD needed = 0;
  QueryServiceConfigW(bits.get(), nullptr, 0, &needed);
  if (needed == 0) return LastError();
  std::vector<BYTE> config(needed);
  if (!QueryServiceConfigW(bits.get(), reinterpret_cast<QUERY_SERVICE_CONFIGW*>(config.data()), needed, &needed)) {
    return LastError();
  }
  *startType = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(config.data())->dwStartType;
  SERVICE_STATUS_PROCESS status = {};
  if (!QueryServiceStatusEx(bits.get(), SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&status), sizeof(status),
                            &needed)) {
    return LastError();
  }
  *state = status.dwCurrentState;
  return S_OK;
}

bool ReadDword(const wchar_t* key, const wchar_t* name, DWORD* value) {
  DWORD size = sizeof(*value);
  return RegGetValueW(HKEY_LOCAL_MACHINE, key, name, RRF_RT_REG_DWORD, nullptr, value, &size) == ERROR_SUCCESS;
}

// Windows containers set ContainerType under the Control key (absent on a host).
DWORD ReadContainerType() {
  DWORD v = 0;
  return ReadDword(L"SYSTEM\\CurrentControlSet\\Control", L"ContainerType", &v) ? v : 0;
}

// The BITS Group Policy limits that CreateJob and AddFile name
// (BG_E_TOO_MANY_JOBS_PER_MACHINE/_PER_USER, BG_E_TOO_MANY_FILES_IN_JOB): set to
// 0 they forbid every job. Other policies (bandwidth, peer caching) slow BITS
// but do not stop it, and a service disabled by policy reads as disabled.
uint32_t ReadPolicyZero() {
  const wchar_t* key = L"SOFTWARE\\Policies\\Microsoft\\Windows\\BITS";
  uint32_t bits = 0;
  DWORD v = 0;
  if (ReadDword(key, L"MaxJobsPerMachine", &v) && v == 0) bits |= kPolicyMaxJobsPerMachine;
  if (ReadDword(key, L"MaxJobsPerUser", &v) && v == 0) bits |= kPolicyMaxJobsPerUser;
  if (ReadDword(key, L"MaxFilesPerJob", &v) && v == 0) bits |= kPolicyMaxFilesPerJob;
  return bits;
}

// The versioned BackgroundCopyManager classes, newest first ("Connecting to the
// BITS Service": each version registers its own CLSID).
NValue ProbeVersions() {
  static const struct {
    const wchar_t* clsid;
    const wchar_t* version;
  } kClasses[] = {
      {L"{5FD42AD5-C04E-4D36-ADC7-E08FF15737AD}", L"10.3"}, {L"{4575438F-A6C8-4976-B0FE-2F26B80D959E}", L"10.2"},
      {L"{4BD3E4E1-7BD4-4A2B-9964-496400DE5193}", L"10.1"}, {L"{1ECCA34C-E88A-44E3-8D6A-8921BDE9E452}", L"5.0"},
      {L"{BB6DF56B-CACE-11DC-9992-0019B93A3A84}", L"4.0"},  {L"{659CDEA7-489E-11D9-A9CD-000D56965251}", L"3.0"},
      {L"{03CA98D6-FF5D-49B8-ABC6-03DD84127020}", L"2.5"},  {L"{6D18AD12-BDE3-4393-B311-099C346E6DF9}", L"2.0"},
      {L"{F087771F-D74F-4C1A-BB8A-E16ACA9124EA}", L"1.5"},  {L"{4991D34B-80A1-4291-83B6-3328366B9097}", L"1.0"},
  };
  NValue answered = NValue::Array();
  for (const auto& c : kClasses) {
    CLSID clsid;
    if (FAILED(CLSIDFromString(c.clsid, &clsid))) continue;
    IUnknown* manager = nullptr;
    if (SUCCEEDED(
            CoCreateInstance(clsid, nullptr, CLSCTX_LOCAL_SERVER, IID_IUnknown, reinterpret_cast<void**>(&manager)))) {
      manager->Release();
      answered.Push(NValue::String(c.version));
    }
  }
  return answered;
}

NValue OrNull(bool known, double v) { return known ? NValue::Number(v) : NValue::Null(); }

NValue Read(bool probeVersion) {
  AvailabilityOverride o = Forced();
  Token token;
  ULONG logonType = 0;
  HRESULT lsa = o.active && FAILED(o.lsaResult) ? o.lsaResult : ReadLogonType(token, &logonType);
  if (o.active && o.logonType >= 0) logonType = static_cast<ULONG>(o.logonType);
  uint32_t groups = 0;
  HRESULT groupsHr = o.active && FAILED(o.groupsResult) ? o.groupsResult : ReadGroups(token, &groups);
  if (o.active && o.groups >= 0) groups = static_cast<uint32_t>(o.groups);
  std::vector<BYTE> user;
  uint32_t system = ReadSystemAccount(token, &user);
  if (o.active && o.systemAccount >= 0) system = static_cast<uint32_t>(o.systemAccount);
  int session = o.active && o.userSession != kUnforced ? static_cast<int>(o.userSession) : ReadUserSession(user);

  DWORD startType = 0, state = 0;
  bool cexec = false;
  HRESULT service = o.active && FAILED(o.serviceResult) ? o.serviceResult : ReadService(&startType, &state, &cexec);
  if (o.active && o.serviceStartType >= 0) startType = static_cast<DWORD>(o.serviceStartType);
  if (o.active && o.serviceState >= 0) state = static_cast<DWORD>(o.serviceState);
  if (o.active && o.containerService >= 0) cexec = o.containerService != 0;
  DWORD container = o.active && o.containerType >= 0 ? static_cast<DWORD>(o.containerType) : ReadContainerType();
  uint32_t policy = o.active && o.policyZero >= 0 ? static_cast<uint32_t>(o.policyZero) : ReadPolicyZero();

  NValue r = NValue::Object();
  r.Set("logonType", OrNull(SUCCEEDED(lsa), logonType))
      .Set("logonTypeError", NValue::Number(static_cast<uint32_t>(SUCCEEDED(lsa) ? S_OK : lsa)))
      .Set("groups", OrNull(SUCCEEDED(groupsHr), groups))
      .Set("systemAccount", NValue::Number(system))
      .Set("userSession", session < 0 ? NValue::Null() : NValue::Bool(session == 1))
      .Set("serviceStartType", OrNull(SUCCEEDED(service), startType))
      .Set("serviceState", OrNull(SUCCEEDED(service), state))
      .Set("serviceError", NValue::Number(static_cast<uint32_t>(SUCCEEDED(service) ? S_OK : service)))
      .Set("containerType", OrNull(container != 0, container))
      .Set("containerService", NValue::Bool(cexec))
      .Set("policyZero", NValue::Number(policy))
      .Set("managerVersions", probeVersion ? ProbeVersions() : NValue::Null());
  return r;
}

}  // namespace

void SetAvailabilityOverride(const AvailabilityOverride& o) {
  std::lock_guard<std::mutex> g(overrideMutex);
  forced = o;
}

HRESULT ForcedConnectResult() {
  AvailabilityOverride o = Forced();
  return o.active ? o.connectResult : S_OK;
}

Napi::Value Availability(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool probeVersion = info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
  return AddonState::From(env)->Schedule(env, "availability", [probeVersion](ObjectTable&, Call& call) {
    call.result = Read(probeVersion);
    return S_OK;
  });
}
