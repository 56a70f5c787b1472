// Threads: IsDisconnection, DescribeHResult and the message helpers on the COM
// pool threads (any thread could call them); the JS builders on the JS thread.
//
// One error path: HRESULT -> description on the pool (the module's describer
// first, then the system's message table), description -> the JS error (lib's
// BitsError or ObjectClosedError, handed over once by setErrorClasses) on the JS
// thread, and the one list of codes that mean the service is gone.
#pragma once

#include <napi.h>
#include <windows.h>

#include <string>

class ObjectTable;

// True for the HRESULTs that mean the BITS service went away (stopped, crashed,
// unreachable): lib's one list, handed over by setErrorClasses.
bool IsDisconnection(HRESULT hr);  // any thread

// The module's words for a failed call's HRESULT (it may ask a live object in
// the table), or empty when it has none. Pool threads.
using ErrorDescriber = std::wstring (*)(ObjectTable& objects, HRESULT hr);

// `describe`'s words, else the system's; empty when neither knows the code (the
// JS class then uses its built-in table). Pool threads.
std::wstring DescribeHResult(ErrorDescriber describe, ObjectTable& objects, HRESULT hr);
// The message table of the system, then of `messageDll` (loaded as data from
// System32) where one is named; empty when neither has the code. Any thread.
std::wstring SystemMessage(HRESULT hr, const wchar_t* messageDll = nullptr);
// A message without the line breaks, spaces and full stop that message tables end with.
std::wstring TrimMessage(std::wstring s);

// The rest: JS thread.
// setErrorClasses(BitsError, ObjectClosedError, disconnectionCodes).
Napi::Value SetErrorClasses(const Napi::CallbackInfo& info);
// new BitsError({ hresult, method, description }), or without the classes a
// plain Error carrying hresult and method.
Napi::Value CallError(Napi::Env env, HRESULT hr, const std::string& method, const std::wstring& description);
// new ObjectClosedError(what), or a plain Error with code 'ERR_BITS_CLOSED'.
Napi::Error ObjectClosed(Napi::Env env, const std::string& what);
