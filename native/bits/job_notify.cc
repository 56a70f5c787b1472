// Subscribing a job to our callback object. BITS keeps one callback per job (the
// last process to register wins) and forgets it when the service restarts, so
// lib/ polls as well; here we only register, and undo it exactly once.
#include <memory>

#include "bits/job.h"

Napi::Value Job::Subscribe(const Napi::CallbackInfo& info) {
  AddonState* state = AddonState::From(info.Env());
  NotifyCallback* raw = state->callback();
  raw->AddRef();
  // Held by the task until it goes, whether it runs or is dropped at shutdown.
  std::shared_ptr<NotifyCallback> callback(raw, [](NotifyCallback* c) { c->Release(); });
  uint64_t jobId = id();
  return Run<IBackgroundCopyJob>(info, [callback, jobId](IBackgroundCopyJob* job, ObjectTable& objects, Call&) {
    ULONG previous = BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR;
    job->GetNotifyFlags(&previous);
    HRESULT hr = job->SetNotifyInterface(callback.get());
    if (FAILED(hr)) return hr;
    const ULONG all = BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_JOB_MODIFICATION;
    // FILE_TRANSFERRED needs BITS 3.0, FILE_RANGES_TRANSFERRED BITS 10.1:
    // ask for it, and make do without where the service refuses.
    if (FAILED(job->SetNotifyFlags(all | BG_NOTIFY_FILE_TRANSFERRED | BG_NOTIFY_FILE_RANGES_TRANSFERRED)) &&
        FAILED(job->SetNotifyFlags(all | BG_NOTIFY_FILE_TRANSFERRED))) {
      job->SetNotifyFlags(all);
    }
    objects.SetOnRelease(jobId, [job, previous]() {
      job->SetNotifyInterface(nullptr);
      job->SetNotifyFlags(previous);
    });
    return S_OK;
  });
}

Napi::Value Job::Unsubscribe(const Napi::CallbackInfo& info) {
  uint64_t jobId = id();
  return Run<IBackgroundCopyJob>(info, [jobId](IBackgroundCopyJob*, ObjectTable& objects, Call&) {
    objects.RunOnRelease(jobId);
    return S_OK;
  });
}
