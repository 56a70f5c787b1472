// Threads: the COM pool threads only.
//
// Every COM reference the addon holds lives here, keyed by a number that JS
// wrappers carry instead of a pointer. The COM threads share the table under a
// lock; a call borrows a reference of its own (AddRef, local for a proxy), so an
// object released meanwhile stays alive until the call ends. Whatever JS never
// released is released when the threads stop.
#pragma once

#include <windows.h>
#include <objbase.h>
#include <unknwn.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/com_ptr.h"
#include "runtime/impersonation.h"
#include "runtime/proxy_lock.h"

class ObjectTable {
 public:
  // Every addon instance's references together: worker_threads come and go, and
  // what they held must be back at zero when they have gone.
  static std::atomic<int64_t>& processLive() {
    static std::atomic<int64_t> live{0};
    return live;
  }

  explicit ObjectTable(std::atomic<int64_t>& live) : live_(live) {}
  ObjectTable(const ObjectTable&) = delete;
  ObjectTable& operator=(const ObjectTable&) = delete;
  ~ObjectTable() { ReleaseAll(); }

  // Takes over one reference to p, which must be an I* for the IID given.
  template <class I>
  uint64_t Add(I* p) {
    EnsureImpersonation(p);
    std::lock_guard<std::mutex> g(mutex_);
    uint64_t id = next_++;
    Entry& e = entries_[id];
    e.iid = __uuidof(I);
    e.primary = p;
    Count(+1);
    return id;
  }

  // A reference of the caller's own to the entry as I. QueryInterface is asked
  // once and its answer kept, so later calls on a newer interface cost no extra
  // round trip.
  template <class I>
  HRESULT Query(uint64_t id, ComPtr<I>* out) {
    std::lock_guard<std::mutex> g(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return RPC_E_DISCONNECTED;
    Entry& e = it->second;
    if (IsEqualIID(e.iid, __uuidof(I))) return Lend(static_cast<I*>(e.primary), out);
    for (auto& [iid, p] : e.faces) {
      if (IsEqualIID(iid, __uuidof(I))) return p ? Lend(static_cast<I*>(p), out) : E_NOINTERFACE;
    }
    I* p = nullptr;
    HRESULT hr;
    {
      ProxyUnmarshal unmarshal;  // a new interface proxy of an object already held
      hr = e.primary->QueryInterface(__uuidof(I), reinterpret_cast<void**>(&p));
    }
    if (FAILED(hr)) {
      // Remember only a definite "no": a transient failure may succeed next time.
      if (hr == E_NOINTERFACE) e.faces.emplace_back(__uuidof(I), nullptr);
      return hr;
    }
    EnsureImpersonation(p);
    e.faces.emplace_back(__uuidof(I), p);
    Count(+1);
    return Lend(p, out);
  }

  // An entry has one release action per slot, so that registering one thing
  // (a callback) never overwrites the undoing of another (a validator).
  enum class Slot { Notify, CertValidator, Count };

  // Runs before the entry's references go, e.g. to unregister a callback.
  // Replaces the slot's earlier action without running it.
  void SetOnRelease(uint64_t id, Slot slot, std::function<void()> onRelease) {
    std::lock_guard<std::mutex> g(mutex_);
    auto it = entries_.find(id);
    if (it != entries_.end()) it->second.onRelease[static_cast<int>(slot)] = std::move(onRelease);
  }

  // Runs and forgets the slot's release action now (e.g. an unsubscribe).
  void RunOnRelease(uint64_t id, Slot slot) {
    std::function<void()> action;
    {
      std::lock_guard<std::mutex> g(mutex_);
      auto it = entries_.find(id);
      if (it == entries_.end()) return;
      action = std::move(it->second.onRelease[static_cast<int>(slot)]);
      it->second.onRelease[static_cast<int>(slot)] = nullptr;
    }
    if (action) action();
  }

  void Release(uint64_t id) {
    Entry e;
    {
      std::lock_guard<std::mutex> g(mutex_);
      auto it = entries_.find(id);
      if (it == entries_.end()) return;
      e = std::move(it->second);
      entries_.erase(it);
      if (describer_ == id) describer_ = 0;
    }
    ReleaseEntry(e);
  }

  void ReleaseAll() {
    std::unordered_map<uint64_t, Entry> entries;
    {
      std::lock_guard<std::mutex> g(mutex_);
      entries.swap(entries_);
      describer_ = 0;
    }
    for (auto& [id, e] : entries) ReleaseEntry(e);
  }

  // A live object the module's error describer may ask about failures of calls
  // made on other objects (errors.h); 0 when there is none.
  uint64_t describer() {
    std::lock_guard<std::mutex> g(mutex_);
    return describer_;
  }
  void set_describer_if_none(uint64_t id) {
    std::lock_guard<std::mutex> g(mutex_);
    if (!describer_) describer_ = id;
  }

 private:
  struct Entry {
    IID iid{};
    IUnknown* primary = nullptr;
    std::vector<std::pair<IID, IUnknown*>> faces;
    std::function<void()> onRelease[static_cast<int>(Slot::Count)];
  };

  template <class I>
  static HRESULT Lend(I* p, ComPtr<I>* out) {
    p->AddRef();
    *out = ComPtr<I>::Attach(p);
    return S_OK;
  }

  void Count(int delta) {
    live_ += delta;
    processLive() += delta;
  }

  void ReleaseEntry(Entry& e) {
    for (auto& action : e.onRelease) {
      if (action) action();
    }
    ProxyRelease release;  // never beside a call that hands back proxies (proxy_lock.h)
    for (auto& [iid, p] : e.faces) {
      if (p) {
        p->Release();
        Count(-1);
      }
    }
    if (e.primary) {
      e.primary->Release();
      Count(-1);
    }
  }

  std::mutex mutex_;
  std::unordered_map<uint64_t, Entry> entries_;
  uint64_t next_ = 1;
  uint64_t describer_ = 0;
  std::atomic<int64_t>& live_;
};
