// Threads: the COM pool threads (DescribeBitsFailure, for every failed call) and
// BITS's RPC threads (BitsMessage, reading a job error in our callback). No
// Node-API.
//
// The words for an HRESULT, as BITS gives them. The module hands
// DescribeBitsFailure to the runtime as its error describer (addon.cc), so the
// runtime never names the manager.
#pragma once

#include <windows.h>

#include <string>

class ObjectTable;

// The system's message table, then BITS's own (qmgr.dll on Windows); empty when
// neither knows the code.
std::wstring BitsMessage(HRESULT hr);

// IBackgroundCopyManager::GetErrorDescription of the table's live manager, in
// the user's language; else BitsMessage. A service that is gone (IsDisconnection)
// is not asked: it would only fail again, slowly.
std::wstring DescribeBitsFailure(ObjectTable& objects, HRESULT hr);
