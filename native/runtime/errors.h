// Threads: IsDisconnection, DescribeHResult and SystemMessage on the COM pool
// threads (any thread could call them); the JS builders on the JS thread.
//
// One error path: HRESULT -> description on the pool, description -> the JS error
// (lib's BitsError or ObjectClosedError, handed over once by setErrorClasses) on
// the JS thread, and the one list of codes that mean the service is gone.
#pragma once

#include <napi.h>
#include <windows.h>

#include <string>

class ObjectTable;

// True for the HRESULTs that mean the BITS service went away (stopped, crashed,
// unreachable): lib's one list, handed over by setErrorClasses.
bool IsDisconnection(HRESULT hr);  // any thread

// BITS's own words for an HRESULT where the service gives them, else the
// system's; empty when neither knows it (the JS class then uses its built-in table).
std::wstring DescribeHResult(ObjectTable& objects, HRESULT hr);  // pool threads
std::wstring SystemMessage(HRESULT hr);                          // any thread

// The rest: JS thread.
// setErrorClasses(BitsError, ObjectClosedError, disconnectionCodes).
Napi::Value SetErrorClasses(const Napi::CallbackInfo& info);
// new BitsError({ hresult, method, description }), or without the classes a
// plain Error carrying hresult and method.
Napi::Value CallError(Napi::Env env, HRESULT hr, const std::string& method, const std::wstring& description);
// new ObjectClosedError(what), or a plain Error with code 'ERR_BITS_CLOSED'.
Napi::Error ObjectClosed(Napi::Env env, const std::string& what);
