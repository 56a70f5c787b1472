// Threads: the COM pool threads (getError, getStatus) and BITS's RPC threads
// (our JobError callback).
//
// IBackgroundCopyError read into the one NativeJobError shape (binding.d.ts):
// context, hresult, descriptions, protocol and file. getError, getStatus and
// the 'error' event all read it here.
#pragma once

#include "bits/bits_extra.h"
#include "runtime/promise_bridge.h"
#include "runtime/value.h"

// Fails only when IBackgroundCopyError::GetError does; every other part is
// optional (Wine implements no description, Windows has none for some codes).
HRESULT ReadCopyError(IBackgroundCopyError* error, NValue* out);

// IBackgroundCopyJob::GetError, then ReadCopyError. null when BITS has no error
// information (BG_E_ERROR_INFORMATION_UNAVAILABLE). Names the failing method
// in call.method.
HRESULT ReadJobError(IBackgroundCopyJob* job, Call& call, NValue* out);
