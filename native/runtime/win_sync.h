// Threads: any (the JS thread and the COM pool threads share them).
//
// A mutex and a condition variable over Windows' own SRWLOCK and
// CONDITION_VARIABLE, for the queue that hands calls to the COM threads.
// MinGW's std::condition_variable (winpthreads) sleeps on kernel semaphores;
// under Wine each wait and each wake is then a wineserver round trip, which
// measured ~180 us per call handed over. Windows' own primitives sleep on the
// address (a futex under Wine) and cost a fraction of that on both systems.
#pragma once

#include <windows.h>

#include <chrono>
#include <mutex>

class SrwMutex {
 public:
  SrwMutex() = default;
  SrwMutex(const SrwMutex&) = delete;
  SrwMutex& operator=(const SrwMutex&) = delete;
  void lock() { AcquireSRWLockExclusive(&lock_); }
  void unlock() { ReleaseSRWLockExclusive(&lock_); }
  bool try_lock() { return TryAcquireSRWLockExclusive(&lock_) != 0; }

 private:
  friend class SrwCondition;
  SRWLOCK lock_ = SRWLOCK_INIT;
};

class SrwCondition {
 public:
  SrwCondition() = default;
  SrwCondition(const SrwCondition&) = delete;
  SrwCondition& operator=(const SrwCondition&) = delete;
  void notify_one() { WakeConditionVariable(&cv_); }
  void notify_all() { WakeAllConditionVariable(&cv_); }

  template <class Predicate>
  void wait(std::unique_lock<SrwMutex>& lock, Predicate ready) {
    while (!ready()) SleepConditionVariableSRW(&cv_, &lock.mutex()->lock_, INFINITE, 0);
  }

  // True if `ready` held before `timeout` passed.
  template <class Predicate>
  bool wait_for(std::unique_lock<SrwMutex>& lock, std::chrono::milliseconds timeout, Predicate ready) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!ready()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return ready();
      // A wake-up, spurious or not, or the end of the slice: check again.
      SleepConditionVariableSRW(&cv_, &lock.mutex()->lock_, static_cast<DWORD>(left.count()) + 1, 0);
    }
    return true;
  }

 private:
  CONDITION_VARIABLE cv_ = CONDITION_VARIABLE_INIT;
};
