#include "bits/callback.h"

#include "runtime/strings.h"

void EventSink::Listen(Napi::Env env, Napi::Function fn) {
  std::lock_guard<std::mutex> g(mutex_);
  if (closed_) return;
  if (listening_) tsfn_.Release();
  tsfn_ = Napi::ThreadSafeFunction::New(env, fn, "windows-bits:events", 0, 1);
  // Events alone do not keep the process alive: lib/'s poller does while anyone listens.
  tsfn_.Unref(env);
  listening_ = true;
}

void EventSink::Push(JobEvent event) {
  std::lock_guard<std::mutex> g(mutex_);
  if (closed_ || !listening_) return;
  auto* data = new JobEvent(std::move(event));
  napi_status status = tsfn_.NonBlockingCall(data, [](Napi::Env env, Napi::Function fn, JobEvent* e) {
    std::unique_ptr<JobEvent> owned(e);
    if (!env) return;
    auto str = [&](const std::wstring& s) {
      return Napi::String::New(env, reinterpret_cast<const char16_t*>(s.data()), s.size());
    };
    Napi::Object o = Napi::Object::New(env);
    o.Set("jobId", str(e->jobId));
    o.Set("kind", e->kind);
    o.Set("state", e->state);
    o.Set("receivedAt", e->receivedAtNs);
    if (e->hasProgress) {
      Napi::Object p = Napi::Object::New(env);
      p.Set("bytesTotal", e->progress.BytesTotal == BG_SIZE_UNKNOWN
                              ? env.Null()
                              : Napi::Value(Napi::Number::New(env, static_cast<double>(e->progress.BytesTotal))));
      p.Set("bytesTransferred", static_cast<double>(e->progress.BytesTransferred));
      p.Set("filesTotal", static_cast<double>(e->progress.FilesTotal));
      p.Set("filesTransferred", static_cast<double>(e->progress.FilesTransferred));
      o.Set("progress", p);
    }
    if (e->kind == "file-transferred" || e->kind == "file-ranges-transferred") {
      o.Set("remoteName", str(e->remoteName));
      o.Set("localName", str(e->localName));
    }
    if (e->kind == "file-ranges-transferred") {
      Napi::Array ranges = Napi::Array::New(env, e->ranges.size());
      for (size_t i = 0; i < e->ranges.size(); i++) {
        Napi::Object r = Napi::Object::New(env);
        r.Set("offset", static_cast<double>(e->ranges[i].InitialOffset));
        r.Set("length", e->ranges[i].Length == BG_LENGTH_TO_EOF
                            ? env.Null()
                            : Napi::Value(Napi::Number::New(env, static_cast<double>(e->ranges[i].Length))));
        ranges.Set(static_cast<uint32_t>(i), r);
      }
      o.Set("ranges", ranges);
    }
    fn.Call({o});
  });
  if (status != napi_ok) delete data;
}

void EventSink::Close() {
  std::lock_guard<std::mutex> g(mutex_);
  if (closed_) return;
  closed_ = true;
  if (listening_) tsfn_.Release();
  listening_ = false;
}

std::atomic<uint64_t> NotifyCallback::received{0};

void NotifyCallback::Emit(IBackgroundCopyJob* job, const char* kind, int state, bool withProgress,
                          IBackgroundCopyFile* file, std::vector<BG_FILE_RANGE> ranges) {
  received++;
  JobEvent e;
  // QueryPerformanceCounter in nanoseconds: the clock libuv's hrtime reads on
  // Windows, so JS can measure how long the event took to reach it.
  LARGE_INTEGER now, freq;
  QueryPerformanceCounter(&now);
  QueryPerformanceFrequency(&freq);
  e.receivedAtNs = static_cast<double>(now.QuadPart) * (1e9 / static_cast<double>(freq.QuadPart));
  e.ranges = std::move(ranges);
  GUID id;
  if (!job || FAILED(job->GetId(&id))) return;
  e.jobId = GuidToString(id);
  e.kind = kind;
  e.state = state;
  if (withProgress) {
    BG_JOB_STATE s;
    if (SUCCEEDED(job->GetState(&s))) e.state = s;
    e.hasProgress = SUCCEEDED(job->GetProgress(&e.progress));
  }
  if (file) {
    LPWSTR text = nullptr;
    if (SUCCEEDED(file->GetRemoteName(&text))) e.remoteName = TakeCoTaskString(text);
    text = nullptr;
    if (SUCCEEDED(file->GetLocalName(&text))) e.localName = TakeCoTaskString(text);
  }
  sink_->Push(std::move(e));
}

HRESULT NotifyCallback::JobTransferred(IBackgroundCopyJob* job) {
  Emit(job, "transferred", BG_JOB_STATE_TRANSFERRED, true);
  return S_OK;
}

HRESULT NotifyCallback::JobError(IBackgroundCopyJob* job, IBackgroundCopyError*) {
  Emit(job, "error", BG_JOB_STATE_ERROR, true);
  return S_OK;
}

HRESULT NotifyCallback::JobModification(IBackgroundCopyJob* job, DWORD) {
  Emit(job, "modification", -1, true);
  return S_OK;
}

HRESULT NotifyCallback::FileTransferred(IBackgroundCopyJob* job, IBackgroundCopyFile* file) {
  Emit(job, "file-transferred", -1, false, file);
  return S_OK;
}

HRESULT NotifyCallback::FileRangesTransferred(IBackgroundCopyJob* job, IBackgroundCopyFile* file, DWORD count,
                                              const BG_FILE_RANGE ranges[]) {
  Emit(job, "file-ranges-transferred", -1, false, file, std::vector<BG_FILE_RANGE>(ranges, ranges + count));
  return S_OK;
}
