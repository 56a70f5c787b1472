// Threads: StartDrive on the JS thread; the drive's body on a thread of its
// own in the multithreaded apartment; DrivesRunning on any thread.
//
// The thread each test driver (callback_driver.cc) runs on, and the promise it
// settles on the JS thread when done.
#pragma once

#include <windows.h>

#include <napi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

// What a drive did: one HRESULT per call, or the setup step that failed.
struct Outcome {
  HRESULT hr = S_OK;
  std::string step;
  std::vector<HRESULT> hresults;
  std::vector<uint32_t> failedEach;  // allocations made to fail, per call
  uint64_t allocationsFailed = 0;
};

// JS thread: a promise, settled when `body` has run on a thread of its own in
// the MTA. The thread-safe function keeps the event loop alive meanwhile.
Napi::Value StartDrive(Napi::Env env, std::function<void(Outcome&)> body);

// Any thread: drives whose thread has not ended yet, in the whole process
// (debugStats().drivesRunning). A program that ends must first let them finish,
// or ExitProcess kills them in the middle of a COM call.
uint64_t DrivesRunning();
