// The one thread that owns every COM pointer of an addon instance. It joins the
// multithreaded apartment, so the JS thread's apartment (which Electron owns) is
// never touched, and BITS can call our callback objects without a message pump.
#pragma once

#include <windows.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "object_table.h"

class ComThread : public std::enable_shared_from_this<ComThread> {
 public:
  using Task = std::function<void(ObjectTable&)>;

  static std::shared_ptr<ComThread> Start();
  ~ComThread();

  // False once the thread is stopping: the task was not queued.
  bool Post(Task task);

  // Runs on the COM thread after the queue is dropped and before references go:
  // the place to unregister from BITS.
  void AddShutdownStep(Task step);

  // Drops queued work, releases every reference and leaves the apartment. Waits
  // at most `timeout` for a COM call in progress (a hung service must not hang
  // the process at exit); past that the thread is left to finish on its own.
  void Stop(std::chrono::milliseconds timeout);

  HRESULT initResult() const { return initResult_; }
  int64_t liveObjects() const { return live_.load(); }
  std::atomic<int64_t>& liveCounter() { return live_; }

 private:
  ComThread() = default;
  void Run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::deque<Task> queue_;
  std::vector<Task> shutdownSteps_;
  bool stopping_ = false;
  bool finished_ = false;
  HRESULT initResult_ = S_OK;
  std::atomic<int64_t> live_{0};
  std::thread thread_;
};
