// Threads: Listen and Close on the JS thread; Push on any thread (BITS's RPC
// threads call it from our callback object); CallJs on the JS thread, or during
// the environment's teardown with no environment at all.
//
// Carries events (value trees) to one JS function through a thread-safe
// function. One per addon instance, shared by every job.
#pragma once

#include <napi.h>

#include <mutex>

#include "runtime/value.h"

class EventSink {
 public:
  // JS thread. The function that receives every event, as a plain object.
  void Listen(Napi::Env env, Napi::Function fn);
  // Any thread (BITS's RPC threads). Dropped when nobody listens or after Close.
  void Push(NValue event);
  // JS thread, at teardown: releases the thread-safe function once; later events are dropped.
  void Close();

 private:
  // Node calls this for every queued event exactly once: with an environment to
  // deliver it, or with none while it empties the queue at teardown (then the
  // event is only freed). node-addon-api's untyped ThreadSafeFunction skips the
  // callback in that case, and the event would leak.
  static void CallJs(Napi::Env env, Napi::Function fn, void* context, NValue* event);
  using Tsfn = Napi::TypedThreadSafeFunction<void, NValue, &EventSink::CallJs>;

  std::mutex mutex_;
  Tsfn tsfn_;
  bool listening_ = false;
  bool closed_ = false;
};
