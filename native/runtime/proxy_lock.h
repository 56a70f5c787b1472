// Threads: the COM pool threads of every addon instance in the process.
//
// One lock per process around the lifetime of proxies to the service's objects.
// Wine's COM (combase) can free a remote-reference object while another thread
// of the same apartment still uses it: a Windows Node process died inside
// ifproxy_release_public_refs, right after threads of many addon instances (50
// worker_threads, each with a pool in the one multithreaded apartment) released
// their proxies to the same BITS objects, and after a listing took new proxies to
// jobs that a closing file was releasing (the README's Wine list). So here:
// - releases of the object table's proxies take the lock alone (ProxyRelease);
// - calls that hand back proxies (activation, CreateJob, GetJob, enumerators)
//   take it shared (ProxyUnmarshal), and may run beside each other.
// Windows' COM needs none of this; the cost is that releases take turns.
// A function-local static: every addon instance loaded from this module shares it.
#pragma once

#include <windows.h>

inline SRWLOCK* ProxyLifetimeLock() {
  static SRWLOCK lock = SRWLOCK_INIT;
  return &lock;
}

class ProxyRelease {
 public:
  ProxyRelease() { AcquireSRWLockExclusive(ProxyLifetimeLock()); }
  ~ProxyRelease() { ReleaseSRWLockExclusive(ProxyLifetimeLock()); }
  ProxyRelease(const ProxyRelease&) = delete;
  ProxyRelease& operator=(const ProxyRelease&) = delete;
};

class ProxyUnmarshal {
 public:
  ProxyUnmarshal() { AcquireSRWLockShared(ProxyLifetimeLock()); }
  ~ProxyUnmarshal() { ReleaseSRWLockShared(ProxyLifetimeLock()); }
  ProxyUnmarshal(const ProxyUnmarshal&) = delete;
  ProxyUnmarshal& operator=(const ProxyUnmarshal&) = delete;
};
