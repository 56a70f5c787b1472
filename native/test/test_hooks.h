// Threads: RegisterTestExports on the JS thread; CountCallback on BITS's RPC
// threads.
//
// The test build only (WINDOWS_BITS_TEST): counters and exports that the
// product addon never carries.
#pragma once

#include <napi.h>

// debugStats, debugRoundTrip, debugValidate and debugNullCallbacks on the
// module's exports.
void RegisterTestExports(Napi::Env env, Napi::Object exports);
// debugDriveCallbacks and debugDriveValidation (callback_driver.cc).
void RegisterDriverExports(Napi::Env env, Napi::Object exports);
// debugForceAvailability (availability_hooks.cc).
void RegisterAvailabilityExports(Napi::Env env, Napi::Object exports);
// debugConvert (converters.cc).
void RegisterConverterExports(Napi::Env env, Napi::Object exports);
// debugReleaseValidator (release_driver.cc).
void RegisterReleaseDriverExports(Napi::Env env, Napi::Object exports);
// debugFakeJob5, debugFakeJob5Record and debugFakeJob5Put (fake_job5.cc).
void RegisterFakeJob5Exports(Napi::Env env, Napi::Object exports);

// One call from BITS into our callback object (debugStats().callbacksReceived).
void CountCallback();
