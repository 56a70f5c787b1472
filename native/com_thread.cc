#include "com_thread.h"

#include <objbase.h>

std::shared_ptr<ComThread> ComThread::Start() {
  std::shared_ptr<ComThread> self(new ComThread());
  std::unique_lock<std::mutex> lock(self->mutex_);
  bool ready = false;
  // The thread holds a reference to its own object: if Stop gives up waiting,
  // the object lives until the thread really ends.
  self->thread_ = std::thread([keep = self, &ready]() {
    HRESULT hr = CoInitializeEx(nullptr, COINIT_MULTITHREADED);
    {
      std::lock_guard<std::mutex> g(keep->mutex_);
      keep->initResult_ = hr;
      ready = true;
    }
    keep->wake_.notify_all();
    keep->Run();
    if (SUCCEEDED(hr)) CoUninitialize();
    {
      std::lock_guard<std::mutex> g(keep->mutex_);
      keep->finished_ = true;
    }
    keep->done_.notify_all();
  });
  self->wake_.wait(lock, [&] { return ready; });
  return self;
}

ComThread::~ComThread() {
  if (thread_.joinable()) {
    // Only reached from the thread itself (its own last reference), or after a
    // join; a thread cannot join itself.
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

bool ComThread::Post(Task task) {
  {
    std::lock_guard<std::mutex> g(mutex_);
    if (stopping_) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void ComThread::AddShutdownStep(Task step) {
  std::lock_guard<std::mutex> g(mutex_);
  shutdownSteps_.push_back(std::move(step));
}

void ComThread::Run() {
  ObjectTable objects(live_);
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) break;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task(objects);
  }
  std::deque<Task> dropped;
  std::vector<Task> steps;
  {
    std::lock_guard<std::mutex> g(mutex_);
    dropped.swap(queue_);
    steps.swap(shutdownSteps_);
  }
  dropped.clear();
  for (auto& step : steps) step(objects);
  objects.ReleaseAll();
}

void ComThread::Stop(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!thread_.joinable() || thread_.get_id() == std::this_thread::get_id()) return;
  stopping_ = true;
  wake_.notify_all();
  if (done_.wait_for(lock, timeout, [&] { return finished_; })) {
    lock.unlock();
    thread_.join();
  } else {
    lock.unlock();
    thread_.detach();
  }
}
