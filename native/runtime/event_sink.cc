// Threads: see event_sink.h (Listen/Close on the JS thread, Push on any thread).
#include "runtime/event_sink.h"

#include <memory>

void EventSink::Listen(Napi::Env env, Napi::Function fn) {
  std::lock_guard<std::mutex> g(mutex_);
  if (closed_) return;
  if (listening_) tsfn_.Release();
  tsfn_ = Tsfn::New(env, fn, "windows-bits:events", 0, 1);
  // Events alone do not keep the process alive: lib/'s poller does while anyone listens.
  tsfn_.Unref(env);
  listening_ = true;
}

void EventSink::Push(NValue event) {
  std::lock_guard<std::mutex> g(mutex_);
  if (closed_ || !listening_) return;
  auto data = std::make_unique<NValue>(std::move(event));
  if (tsfn_.NonBlockingCall(data.get()) == napi_ok) data.release();  // the queue owns it now
}

void EventSink::CallJs(Napi::Env env, Napi::Function fn, void*, NValue* event) {
  std::unique_ptr<NValue> owned(event);
  if (!env || fn.IsEmpty()) return;
  fn.Call({owned->ToJs(env, NValue::NoHandles)});
}

void EventSink::Close() {
  std::lock_guard<std::mutex> g(mutex_);
  if (closed_) return;
  closed_ = true;
  if (listening_) tsfn_.Release();
  listening_ = false;
}
