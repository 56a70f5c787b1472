// Threads: Start, Post and Stop on the JS thread; Run is the body of each pool
// thread, and the tasks run there.
//
// The pool of threads that own every COM pointer of an addon instance: a few
// threads in the multithreaded apartment, so the JS thread's apartment (which Electron owns)
// is never touched, BITS can call our callback objects without a message pump,
// and calls on different jobs (or reads of one job) reach BITS in parallel.
// Calls on one object keep their order: a task with a key waits for the earlier
// tasks of that key, except that reads (shared tasks) may run beside each other.
#pragma once

#include <windows.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "runtime/object_table.h"
#include "runtime/win_sync.h"

class ComThreadPool : public std::enable_shared_from_this<ComThreadPool> {
 public:
  using Task = std::function<void(ObjectTable&)>;

  // JS thread. `threads` MTA threads share one queue.
  static std::shared_ptr<ComThreadPool> Start(int threads = 4);
  ~ComThreadPool();

  // JS thread. key 0: no ordering. shared: may run beside other shared tasks of its key.
  // False once the threads are stopping: the task was not queued.
  bool Post(Task task, uint64_t key = 0, bool shared = false);

  // JS thread. Drops queued work, releases every reference and leaves the apartment. Waits
  // at most `timeout` for COM calls in progress (a hung service must not hang
  // the process at exit); past that the threads are left to finish on their own.
  void Stop(std::chrono::milliseconds timeout);
  // JS thread, before Stop. Run by the last thread out, after every reference is
  // released and while it is still in the apartment (CoDisconnectObject needs one).
  void AtLastOut(std::function<void()> action);

  // The first CoInitializeEx failure of any pool thread, else S_OK.
  HRESULT initResult() const { return initResult_; }
  int64_t liveObjects() const { return live_.load(); }
  // Tasks posted and not yet finished (queued or running): a test waits for 0
  // before it counts references, since close() releases on the pool.
  int64_t tasksInFlight() const { return tasks_.load(); }

 private:
  struct Pending {
    Task fn;
    uint64_t key;
    bool shared;
  };
  struct KeyState {
    int readers = 0;
    bool writer = false;
  };

  ComThreadPool() = default;
  void Run();  // the body of each pool thread
  // With mutex_ held: the first task that may run now, or queue_.end().
  std::deque<Pending>::iterator FindRunnable();

  SrwMutex mutex_;
  SrwCondition wake_;
  SrwCondition done_;
  std::deque<Pending> queue_;
  std::unordered_map<uint64_t, KeyState> running_;
  bool stopping_ = false;
  int started_ = 0;
  int alive_ = 0;
  HRESULT initResult_ = S_OK;
  std::atomic<int64_t> live_{0};
  std::atomic<int64_t> tasks_{0};
  std::unique_ptr<ObjectTable> objects_;
  std::function<void()> lastOut_;
  std::vector<std::thread> threads_;
};
