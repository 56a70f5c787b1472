// Threads: the COM pool threads.
//
// Drains a BITS enumerator (IEnumBackgroundCopyJobs, IEnumBackgroundCopyFiles) in
// batches, so a queue of hundreds of jobs costs few round trips. The enumerator
// and every item get the impersonation blanket (runtime/impersonation.h) before
// use; onItem takes over each reference.
#pragma once

#include <windows.h>

#include "runtime/impersonation.h"
#include "runtime/promise_bridge.h"
#include "runtime/proxy_lock.h"

template <class Item, class Enum, class OnItem>
HRESULT DrainEnumerator(Enum* items, const char* nextMethod, Call& call, OnItem onItem) {
  EnsureImpersonation(items);
  ProxyUnmarshal unmarshal;  // each item is a proxy, maybe to an object being released elsewhere
  Item* batch[32];
  for (;;) {
    ULONG got = 0;
    HRESULT hr = items->Next(32, batch, &got);
    if (FAILED(hr)) {
      call.method = nextMethod;
      return hr;
    }
    for (ULONG i = 0; i < got; i++) {
      EnsureImpersonation(batch[i]);
      onItem(batch[i]);
    }
    if (hr == S_FALSE || got == 0) return S_OK;
  }
}
