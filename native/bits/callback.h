// Notifications: our IBackgroundCopyCallback2, which BITS calls on a thread of
// its own, and the sink that carries its events to the JS thread through a
// thread-safe function. One of each per addon instance, shared by all jobs.
#pragma once

#include <napi.h>

#include "bits/bits_extra.h"
#include "runtime/com_object.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct JobEvent {
  std::wstring jobId;
  std::string kind;  // transferred | error | modification | file-transferred
  int state = -1;    // BG_JOB_STATE when known
  bool hasProgress = false;
  BG_JOB_PROGRESS progress{};
  std::wstring remoteName;
  std::wstring localName;
  std::vector<BG_FILE_RANGE> ranges;
  double receivedAtNs = 0;  // when BITS called us, on process.hrtime's clock
};

class EventSink {
 public:
  // JS thread: the function that receives every event, as a plain object.
  void Listen(Napi::Env env, Napi::Function fn);
  // Any thread. Dropped when nobody listens or after Close.
  void Push(JobEvent event);
  // JS thread, at teardown.
  void Close();

 private:
  std::mutex mutex_;
  Napi::ThreadSafeFunction tsfn_;
  bool listening_ = false;
  bool closed_ = false;
};

class NotifyCallback final
    : public ComObject<NotifyCallback, IBackgroundCopyCallback3, IBackgroundCopyCallback2, IBackgroundCopyCallback> {
 public:
  explicit NotifyCallback(std::shared_ptr<EventSink> sink) : sink_(std::move(sink)) {}

  // BITS retries a callback that fails, so each returns S_OK quickly whatever
  // happens; what the event lacks, the poller in lib/ fills in.
  HRESULT STDMETHODCALLTYPE JobTransferred(IBackgroundCopyJob* job) override;
  HRESULT STDMETHODCALLTYPE JobError(IBackgroundCopyJob* job, IBackgroundCopyError* error) override;
  HRESULT STDMETHODCALLTYPE JobModification(IBackgroundCopyJob* job, DWORD reserved) override;
  HRESULT STDMETHODCALLTYPE FileTransferred(IBackgroundCopyJob* job, IBackgroundCopyFile* file) override;
  // BITS 10.1, for jobs with ranges requested through IBackgroundCopyFile6.
  HRESULT STDMETHODCALLTYPE FileRangesTransferred(IBackgroundCopyJob* job, IBackgroundCopyFile* file, DWORD count,
                                                  const BG_FILE_RANGE ranges[]) override;

  // Callbacks received, for tests that must tell them from the poller.
  static std::atomic<uint64_t> received;

 private:
  void Emit(IBackgroundCopyJob* job, const char* kind, int state, bool withProgress,
            IBackgroundCopyFile* file = nullptr, std::vector<BG_FILE_RANGE> ranges = {});

  std::shared_ptr<EventSink> sink_;
};
