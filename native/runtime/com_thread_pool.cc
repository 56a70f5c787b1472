// Threads: see com_thread_pool.h (Start/Post/Stop on the JS thread, Run on the pool).
#include "runtime/com_thread_pool.h"

#include <objbase.h>

#include <unordered_set>

std::shared_ptr<ComThreadPool> ComThreadPool::Start(int threads) {
  std::shared_ptr<ComThreadPool> self(new ComThreadPool());
  self->objects_ = std::make_unique<ObjectTable>(self->live_);
  std::unique_lock<SrwMutex> lock(self->mutex_);
  for (int i = 0; i < threads; i++) {
    // Each thread holds a reference to the object: if Stop gives up waiting,
    // the object lives until the last thread really ends.
    self->threads_.emplace_back([keep = self]() {
      HRESULT hr = CoInitializeEx(nullptr, COINIT_MULTITHREADED);
      {
        std::lock_guard<SrwMutex> g(keep->mutex_);
        if (FAILED(hr) && SUCCEEDED(keep->initResult_)) keep->initResult_ = hr;
        keep->started_++;
        keep->alive_++;
      }
      keep->wake_.notify_all();
      keep->Run();
      if (SUCCEEDED(hr)) CoUninitialize();
    });
  }
  self->wake_.wait(lock, [&] { return self->started_ == threads; });
  return self;
}

ComThreadPool::~ComThreadPool() {
  for (auto& t : threads_) {
    if (!t.joinable()) continue;
    // The last reference may go on one of the threads themselves, which cannot
    // join itself.
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();
    } else {
      t.join();
    }
  }
}

bool ComThreadPool::Post(Task task, uint64_t key, bool shared) {
  {
    std::lock_guard<SrwMutex> g(mutex_);
    if (stopping_) return false;
    queue_.push_back({std::move(task), key, shared});
    tasks_++;
  }
  wake_.notify_one();
  return true;
}

std::deque<ComThreadPool::Pending>::iterator ComThreadPool::FindRunnable() {
  // A key with an earlier task that cannot run yet blocks its later tasks too,
  // so each object's calls keep their order.
  std::unordered_set<uint64_t> blocked;
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->key == 0) return it;
    if (blocked.count(it->key)) continue;
    auto found = running_.find(it->key);
    bool free = found == running_.end() ||
                (it->shared ? !found->second.writer : (!found->second.writer && found->second.readers == 0));
    if (free) return it;
    blocked.insert(it->key);
  }
  return queue_.end();
}

void ComThreadPool::Run() {
  for (;;) {
    Pending task;
    {
      std::unique_lock<SrwMutex> lock(mutex_);
      std::deque<Pending>::iterator next;
      wake_.wait(lock, [&] { return stopping_ || (next = FindRunnable()) != queue_.end(); });
      if (stopping_) break;
      task = std::move(*next);
      queue_.erase(next);
      if (task.key != 0) {
        KeyState& state = running_[task.key];
        if (task.shared) {
          state.readers++;
        } else {
          state.writer = true;
        }
      }
    }
    // A task that throws must not end the thread (std::terminate): the others
    // of its key would wait for it forever. Calls settle their own errors
    // (promise_bridge.cc); this catches what a release or other task lets out.
    try {
      task.fn(*objects_);
    } catch (...) {
    }
    task.fn = nullptr;  // what the task captured goes here, outside the lock
    tasks_--;
    {
      std::lock_guard<SrwMutex> g(mutex_);
      if (task.key != 0) {
        KeyState& state = running_[task.key];
        if (task.shared) {
          state.readers--;
        } else {
          state.writer = false;
        }
        if (state.readers == 0 && !state.writer) running_.erase(task.key);
      }
    }
    // A finished task may let tasks of its key run, on any thread.
    wake_.notify_all();
  }
  // The last thread out releases everything (each entry's release action
  // unregisters it from BITS first) while it is still in the apartment; the
  // others only leave.
  std::deque<Pending> dropped;
  bool last;
  {
    std::lock_guard<SrwMutex> g(mutex_);
    last = --alive_ == 0;
    if (last) dropped.swap(queue_);
  }
  // Stop joins the threads after this, so the release below still finishes first.
  done_.notify_all();
  if (!last) return;
  tasks_ -= static_cast<int64_t>(dropped.size());
  dropped.clear();
  objects_->ReleaseAll();
  std::function<void()> lastOut;
  {
    std::lock_guard<SrwMutex> g(mutex_);
    lastOut.swap(lastOut_);
  }
  if (lastOut) {
    try {
      lastOut();
    } catch (...) {
    }
  }
}

void ComThreadPool::AtLastOut(std::function<void()> action) {
  std::lock_guard<SrwMutex> g(mutex_);
  lastOut_ = std::move(action);
}

void ComThreadPool::Stop(std::chrono::milliseconds timeout) {
  std::unique_lock<SrwMutex> lock(mutex_);
  for (auto& t : threads_) {
    if (t.get_id() == std::this_thread::get_id()) return;
  }
  if (stopping_) return;
  stopping_ = true;
  wake_.notify_all();
  bool finished = done_.wait_for(lock, timeout, [&] { return alive_ == 0; });
  lock.unlock();
  for (auto& t : threads_) {
    if (!t.joinable()) continue;
    if (finished) {
      t.join();
    } else {
      t.detach();
    }
  }
}
