// Threads: the IBackgroundCopyCallback methods run on BITS's RPC threads; the
// object is made and released on the JS thread, and released by BITS anywhere.
//
// Our IBackgroundCopyCallback3: BITS calls it on a thread of its own, and each
// call becomes one event for the JS thread (runtime/event_sink.h). One per
// addon instance, shared by every job: the module hands Make to the runtime
// (AddonParts::makeNotifier), which holds it as AddonState::notifier().
#pragma once

#include <memory>

#include "bits/bits_extra.h"
#include "runtime/com_object.h"
#include "runtime/event_sink.h"

class NotifyCallback final
    : public ComObject<NotifyCallback, IBackgroundCopyCallback3, IBackgroundCopyCallback2, IBackgroundCopyCallback> {
 public:
  explicit NotifyCallback(std::shared_ptr<EventSink> sink) : sink_(std::move(sink)) {}
  // AddonParts::makeNotifier: a new callback object, with one reference.
  static IUnknown* Make(std::shared_ptr<EventSink> sink) { return new NotifyCallback(std::move(sink)); }
  // The object behind AddonState::notifier(), which Make made.
  static NotifyCallback* Of(IUnknown* notifier) { return static_cast<NotifyCallback*>(notifier); }

  // BITS retries a callback that fails, so each returns S_OK quickly whatever
  // happens (a null pointer, a job whose GetId fails, an exception): what the
  // event lacks, the poller in lib/ fills in.
  HRESULT STDMETHODCALLTYPE JobTransferred(IBackgroundCopyJob* job) override;
  // The event carries the error BITS passed, read here: no second GetError.
  HRESULT STDMETHODCALLTYPE JobError(IBackgroundCopyJob* job, IBackgroundCopyError* error) override;
  HRESULT STDMETHODCALLTYPE JobModification(IBackgroundCopyJob* job, DWORD reserved) override;
  HRESULT STDMETHODCALLTYPE FileTransferred(IBackgroundCopyJob* job, IBackgroundCopyFile* file) override;
  // BITS 10.1, for jobs with ranges requested through IBackgroundCopyFile6.
  HRESULT STDMETHODCALLTYPE FileRangesTransferred(IBackgroundCopyJob* job, IBackgroundCopyFile* file, DWORD rangeCount,
                                                  const BG_FILE_RANGE ranges[]) override;

 private:
  std::shared_ptr<EventSink> sink_;
};
