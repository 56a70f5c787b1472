// Threads: any (a job proxy in the MTA may be called from any MTA thread).
//
// IBackgroundCopyJob objects of our own for the callback driver: JobStub
// answers E_NOTIMPL to everything; FailingJob's GetId fails (E_FAIL), what a
// callback sees when the job it is handed cannot say which job it is (a proxy
// whose service went away, a lowered impersonation level); SlowJob is a real
// job whose GetProgress takes `delay`, so that the state a callback read is
// stale by the time its event leaves, as when BITS's thread is preempted.
#pragma once

#include <atomic>
#include <cstdint>

#include "bits/bits_extra.h"
#include "runtime/com_object.h"
#include "runtime/com_ptr.h"

// Interface and Bases: a newer job interface and the ones it derives from, for
// a stub that QueryInterface also answers for them (fake_job5.cc).
template <class Derived, class Interface = IBackgroundCopyJob, class... Bases>
class JobStub : public ComObject<Derived, Interface, Bases...> {
 public:
  HRESULT STDMETHODCALLTYPE GetId(GUID*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE AddFileSet(ULONG, BG_FILE_INFO*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE AddFile(LPCWSTR, LPCWSTR) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE EnumFiles(IEnumBackgroundCopyFiles**) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE Suspend() override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE Resume() override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE Cancel() override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE Complete() override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetType(BG_JOB_TYPE*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetProgress(BG_JOB_PROGRESS*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetTimes(BG_JOB_TIMES*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetState(BG_JOB_STATE*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetError(IBackgroundCopyError**) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetOwner(LPWSTR*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetDisplayName(LPCWSTR) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetDisplayName(LPWSTR*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetDescription(LPCWSTR) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetDescription(LPWSTR*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetPriority(BG_JOB_PRIORITY) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetPriority(BG_JOB_PRIORITY*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetNotifyFlags(ULONG) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetNotifyFlags(ULONG*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetNotifyInterface(IUnknown*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetNotifyInterface(IUnknown**) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetMinimumRetryDelay(ULONG) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetMinimumRetryDelay(ULONG*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetNoProgressTimeout(ULONG) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetNoProgressTimeout(ULONG*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetErrorCount(ULONG*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetProxySettings(BG_JOB_PROXY_USAGE, const WCHAR*, const WCHAR*) override {
    return E_NOTIMPL;
  }
  HRESULT STDMETHODCALLTYPE GetProxySettings(BG_JOB_PROXY_USAGE*, LPWSTR*, LPWSTR*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE TakeOwnership() override { return E_NOTIMPL; }
};

class FailingJob final : public JobStub<FailingJob> {
 public:
  HRESULT STDMETHODCALLTYPE GetId(GUID*) override { return E_FAIL; }
};

// GetState calls answered by any SlowJob: a test waits on it to know that a
// callback has read its (soon stale) state, instead of sleeping.
inline std::atomic<uint64_t> slowJobStateReads{0};

class SlowJob final : public JobStub<SlowJob> {
 public:
  SlowJob(IBackgroundCopyJob* job, DWORD delayMs) : delayMs_(delayMs) {
    job->AddRef();
    job_.Reset(job);
  }
  HRESULT STDMETHODCALLTYPE GetId(GUID* id) override { return job_->GetId(id); }
  HRESULT STDMETHODCALLTYPE GetState(BG_JOB_STATE* state) override {
    HRESULT hr = job_->GetState(state);
    slowJobStateReads++;
    return hr;
  }
  HRESULT STDMETHODCALLTYPE GetProgress(BG_JOB_PROGRESS* progress) override {
    Sleep(delayMs_);
    return job_->GetProgress(progress);
  }

 private:
  ComPtr<IBackgroundCopyJob> job_;
  DWORD delayMs_;
};
