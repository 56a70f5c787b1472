// Threads: Add on the JS thread; RemoveAndClose on any thread (an object's last
// Release may come from BITS's RPC threads); CloseAll on the JS thread at
// environment shutdown.
//
// Objects that hold a thread-safe function of an environment and are reachable
// from threads the environment does not own (the certificate validators BITS
// keeps). Node frees a thread-safe function when its environment goes, so each
// such object is closed at shutdown, and after that never touches it again.
#pragma once

#include <mutex>
#include <unordered_set>

class Closable {
 public:
  // Releases the object's thread-safe function, at most once.
  virtual void Close() = 0;

 protected:
  ~Closable() = default;
};

class ClosableSet {
 public:
  void Add(Closable* c) {
    std::lock_guard<std::mutex> g(mutex_);
    if (closed_) return c->Close();
    live_.insert(c);
  }

  // Under the set's lock, so CloseAll never reaches an object being destroyed.
  void RemoveAndClose(Closable* c) {
    std::lock_guard<std::mutex> g(mutex_);
    live_.erase(c);
    c->Close();
  }

  void CloseAll() {
    std::lock_guard<std::mutex> g(mutex_);
    closed_ = true;
    for (Closable* c : live_) c->Close();
    live_.clear();
  }

 private:
  std::mutex mutex_;
  std::unordered_set<Closable*> live_;
  bool closed_ = false;
};
