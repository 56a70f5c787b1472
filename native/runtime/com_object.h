// Threads: any. BITS calls these from its RPC threads, and our own code from the
// JS thread and the COM pool threads.
//
// The IUnknown of the COM objects this addon implements itself (the BITS callback
// and the certificate validator): a reference count, and QueryInterface answering
// for the interface and the interfaces it derives from.
#pragma once

#include <windows.h>
#include <unknwn.h>

#include <atomic>

template <class Derived, class Interface, class... Bases>
class ComObject : public Interface {
 public:
  // BITS calls these three: no C++ exception may leave them. QueryInterface only
  // compares GUIDs, AddRef and Release only count (the destructors they may run
  // are noexcept), so none can throw; the catch keeps it so if that changes.
  HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void** out) override try {
    if (!out) return E_POINTER;
    if (IsEqualIID(riid, IID_IUnknown) || IsEqualIID(riid, __uuidof(Interface)) ||
        (IsEqualIID(riid, __uuidof(Bases)) || ...)) {
      *out = static_cast<Interface*>(this);
      AddRef();
      return S_OK;
    }
    *out = nullptr;
    return E_NOINTERFACE;
  } catch (...) {
    return E_UNEXPECTED;
  }
  ULONG STDMETHODCALLTYPE AddRef() noexcept override { return ++refs_; }
  ULONG STDMETHODCALLTYPE Release() noexcept override {
    ULONG n = --refs_;
    if (n == 0) delete static_cast<Derived*>(this);
    return n;
  }

 protected:
  ComObject() = default;
  virtual ~ComObject() = default;

 private:
  std::atomic<ULONG> refs_{1};
};
