// Threads: BITS's RPC threads, any number at once (see callback.h).
#include "bits/callback.h"

#include "bits/convert.h"
#include "bits/copy_error.h"
#include "runtime/impersonation.h"
#include "runtime/strings.h"

#ifdef WINDOWS_BITS_TEST
#include "test/test_hooks.h"
#endif

namespace {

// The start of every event: which job, what, and when BITS called us, in
// nanoseconds of QueryPerformanceCounter (the clock libuv's hrtime reads on
// Windows). lib/job/watch.ts compares it with when its polls were issued, so a
// callback that read the job before a poll already seen is not believed over it.
// False when the event cannot name its job.
bool Begin(IBackgroundCopyJob* job, const wchar_t* kind, NValue* e) {
#ifdef WINDOWS_BITS_TEST
  CountCallback();
#endif
  LARGE_INTEGER now, freq;
  QueryPerformanceCounter(&now);
  QueryPerformanceFrequency(&freq);
  double receivedAt = static_cast<double>(now.QuadPart) * (1e9 / static_cast<double>(freq.QuadPart));
  if (!job) return false;
  EnsureImpersonation(job);
  GUID id;
  if (FAILED(job->GetId(&id))) return false;
  *e = NValue::Object()
           .Set("jobId", NValue::String(GuidToString(id)))
           .Set("kind", NValue::String(kind))
           .Set("receivedAt", NValue::Number(receivedAt));
  return true;
}

// State and progress as the job has them now; `fallback` when GetState fails.
void AddStatus(IBackgroundCopyJob* job, BG_JOB_STATE fallback, NValue* e) {
  BG_JOB_STATE state = fallback;
  if (FAILED(job->GetState(&state))) state = fallback;
  e->Set("state", NValue::Number(state));
  BG_JOB_PROGRESS progress;
  if (SUCCEEDED(job->GetProgress(&progress))) e->Set("progress", ToNValue(progress));
}

// File events do not say the job's state.
void AddFile(IBackgroundCopyFile* file, NValue* e) {
  e->Set("state", NValue::Number(-1));
  EnsureImpersonation(file);
  LPWSTR remote = nullptr, local = nullptr;
  e->Set("remoteName", file && SUCCEEDED(file->GetRemoteName(&remote)) ? ToNValue(remote) : NValue::String(L""));
  e->Set("localName", file && SUCCEEDED(file->GetLocalName(&local)) ? ToNValue(local) : NValue::String(L""));
}

}  // namespace

HRESULT NotifyCallback::JobTransferred(IBackgroundCopyJob* job) try {
  NValue e;
  if (!Begin(job, L"transferred", &e)) return S_OK;
  AddStatus(job, BG_JOB_STATE_TRANSFERRED, &e);
  sink_->Push(std::move(e));
  return S_OK;
} catch (...) {
  return S_OK;
}

HRESULT NotifyCallback::JobError(IBackgroundCopyJob* job, IBackgroundCopyError* error) try {
  NValue e;
  if (!Begin(job, L"error", &e)) return S_OK;
  AddStatus(job, BG_JOB_STATE_ERROR, &e);
  NValue read;
  e.Set("error", SUCCEEDED(ReadCopyError(error, &read)) ? std::move(read) : NValue::Null());
  sink_->Push(std::move(e));
  return S_OK;
} catch (...) {
  return S_OK;
}

HRESULT NotifyCallback::JobModification(IBackgroundCopyJob* job, DWORD) try {
  NValue e;
  if (!Begin(job, L"modification", &e)) return S_OK;
  // JobModification says nothing of the state: -1 only if GetState fails.
  AddStatus(job, static_cast<BG_JOB_STATE>(-1), &e);
  sink_->Push(std::move(e));
  return S_OK;
} catch (...) {
  return S_OK;
}

HRESULT NotifyCallback::FileTransferred(IBackgroundCopyJob* job, IBackgroundCopyFile* file) try {
  NValue e;
  if (!Begin(job, L"file-transferred", &e)) return S_OK;
  AddFile(file, &e);
  sink_->Push(std::move(e));
  return S_OK;
} catch (...) {
  return S_OK;
}

HRESULT NotifyCallback::FileRangesTransferred(IBackgroundCopyJob* job, IBackgroundCopyFile* file, DWORD rangeCount,
                                              const BG_FILE_RANGE ranges[]) try {
  NValue e;
  if (!Begin(job, L"file-ranges-transferred", &e)) return S_OK;
  AddFile(file, &e);
  e.Set("ranges", RangesToNValue(ranges, rangeCount));
  sink_->Push(std::move(e));
  return S_OK;
} catch (...) {
  return S_OK;
}
