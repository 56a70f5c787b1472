// Threads: see errors.h (descriptions on the COM pool, JS errors on the JS thread).
#include "runtime/errors.h"

#include <mutex>
#include <vector>

#include "runtime/addon_state.h"
#include "runtime/object_table.h"
#include "runtime/strings.h"

namespace {

// lib's list (errors.ts DISCONNECTION_HRESULTS), handed over by setErrorClasses:
// one list for both sides. Shared by every environment of the process; set on
// the JS thread, read on the pool threads.
std::mutex disconnectionMutex;
std::vector<HRESULT> disconnectionCodes;

}  // namespace

bool IsDisconnection(HRESULT hr) {
  std::lock_guard<std::mutex> g(disconnectionMutex);
  for (HRESULT code : disconnectionCodes) {
    if (hr == code) return true;
  }
  return false;
}

std::wstring TrimMessage(std::wstring s) {
  while (!s.empty() && (s.back() == L'\r' || s.back() == L'\n' || s.back() == L' ' || s.back() == L'.')) s.pop_back();
  return s;
}

namespace {

std::wstring FormatFrom(DWORD flags, HMODULE module, HRESULT hr) {
  LPWSTR text = nullptr;
  DWORD n = FormatMessageW(flags | FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_IGNORE_INSERTS, module,
                           static_cast<DWORD>(hr), 0, reinterpret_cast<LPWSTR>(&text), 0, nullptr);
  std::wstring r = n ? std::wstring(text, n) : std::wstring();
  if (text) LocalFree(text);
  return TrimMessage(r);
}

Napi::String Utf16(Napi::Env env, const std::wstring& s) {
  return Napi::String::New(env, reinterpret_cast<const char16_t*>(s.data()), s.size());
}

}  // namespace

std::wstring SystemMessage(HRESULT hr, const wchar_t* messageDll) {
  std::wstring s = FormatFrom(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, hr);
  if (!s.empty() || !messageDll) return s;
  HMODULE module = LoadLibraryExW(messageDll, nullptr, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (module) {
    s = FormatFrom(FORMAT_MESSAGE_FROM_HMODULE, module, hr);
    FreeLibrary(module);
  }
  return s;
}

std::wstring DescribeHResult(ErrorDescriber describe, ObjectTable& objects, HRESULT hr) {
  std::wstring s = describe ? describe(objects, hr) : std::wstring();
  return s.empty() ? SystemMessage(hr) : s;
}

Napi::Value SetErrorClasses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction() || !info[1].IsFunction() || !info[2].IsArray()) {
    throw Napi::TypeError::New(env, "expected setErrorClasses(BitsError, ObjectClosedError, disconnectionCodes)");
  }
  std::vector<HRESULT> codes;
  Napi::Array list = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value code = list.Get(i);
    if (!code.IsNumber()) throw Napi::TypeError::New(env, "disconnectionCodes must be numbers");
    codes.push_back(static_cast<HRESULT>(code.As<Napi::Number>().Uint32Value()));
  }
  AddonState* state = AddonState::From(env);
  state->bitsErrorClass = Napi::Persistent(info[0].As<Napi::Function>());
  state->closedErrorClass = Napi::Persistent(info[1].As<Napi::Function>());
  std::lock_guard<std::mutex> g(disconnectionMutex);
  disconnectionCodes = std::move(codes);
  return env.Undefined();
}

Napi::Value CallError(Napi::Env env, HRESULT hr, const std::string& method, const std::wstring& description) {
  AddonState* state = AddonState::From(env);
  Napi::Number hresult = Napi::Number::New(env, static_cast<uint32_t>(hr));
  if (state && !state->bitsErrorClass.IsEmpty()) {
    Napi::Object options = Napi::Object::New(env);
    options.Set("hresult", hresult);
    options.Set("method", method);
    options.Set("description", Utf16(env, description));
    try {
      return state->bitsErrorClass.New({options});
    } catch (const Napi::Error& e) {
      return e.Value();  // a constructor that throws: its error is the rejection
    }
  }
  Napi::Error err = Napi::Error::New(env, "");
  Napi::Object o = err.Value();
  o.Set("message", Utf16(env, description));
  o.Set("hresult", hresult);
  o.Set("method", method);
  return o;
}

Napi::Error ObjectClosed(Napi::Env env, const std::string& what) {
  AddonState* state = AddonState::From(env);
  if (state && !state->closedErrorClass.IsEmpty()) {
    return Napi::Error(env, state->closedErrorClass.New({Napi::String::New(env, what)}));
  }
  Napi::Error e = Napi::Error::New(env, what + " was closed");
  e.Set("code", Napi::String::New(env, "ERR_BITS_CLOSED"));
  return e;
}
