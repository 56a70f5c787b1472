// Threads: ToNValue and the text converters on the COM pool threads (or BITS's
// RPC threads); Arg<T>::Parse and OptionalString::Parse on the JS thread.
//
// Scalar COM values to NValue, and JS arguments to scalar COM values: numbers,
// BOOL, CoTaskMem strings, GUIDs and enums. BITS's structs are in bits/convert.h.
#pragma once

#include <napi.h>
#include <windows.h>

#include <string>
#include <type_traits>

#include "runtime/strings.h"
#include "runtime/value.h"

inline NValue ToNValue(unsigned long v) { return NValue::Number(v); }
inline NValue ToNValue(unsigned long long v) { return NValue::Number(static_cast<double>(v)); }
inline NValue ToNValue(LPWSTR s) { return NValue::String(TakeCoTaskString(s)); }
inline NValue ToNValue(const GUID& g) { return NValue::String(GuidToString(g)); }
template <class E, std::enable_if_t<std::is_enum_v<E>, int> = 0>
NValue ToNValue(E v) {
  return NValue::Number(static_cast<double>(v));
}
// A Win32 BOOL is an int, so it has a name of its own rather than a ToNValue
// overload that would take every int for a truth value.
inline NValue BoolToNValue(BOOL v) { return NValue::Bool(v != FALSE); }

// Text where NULL means "none", read without taking the string over: a caller
// that holds several CoTaskMem strings owns them all first (CoTaskFree), so one
// failed copy cannot leak the others.
inline NValue TextOrNullView(LPCWSTR s) { return s ? NValue::String(std::wstring(s)) : NValue::Null(); }
// Text where NULL and "" both mean "none" (BITS documents L"" for an unset
// notify command line, and NULL elsewhere): null for either, else the text.
inline NValue NonEmptyTextOrNullView(LPCWSTR s) { return s && *s ? NValue::String(std::wstring(s)) : NValue::Null(); }
// A CoTaskMem string where NULL means "none": null, else the text. Frees it.
inline NValue TextOrNull(LPWSTR s) {
  CoTaskFree owned(s);
  return TextOrNullView(s);
}
// A CoTaskMem string where NULL and "" both mean "none". Frees it.
inline NValue NonEmptyTextOrNull(LPWSTR s) {
  CoTaskFree owned(s);
  return NonEmptyTextOrNullView(s);
}

// Argument parsing. lib/ validates first and explains; these checks only keep a
// direct caller of the binding from crashing the process.
template <class T, class Enable = void>
struct Arg;

template <>
struct Arg<unsigned long> {
  using Store = unsigned long;
  static Store Parse(const Napi::Value& v) {
    if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), "expected a number");
    return v.As<Napi::Number>().Uint32Value();
  }
  static unsigned long Pass(const Store& s) { return s; }
};

template <>
struct Arg<int> {  // BOOL
  using Store = BOOL;
  static Store Parse(const Napi::Value& v) {
    if (!v.IsBoolean()) throw Napi::TypeError::New(v.Env(), "expected a boolean");
    return v.As<Napi::Boolean>().Value() ? TRUE : FALSE;
  }
  static BOOL Pass(const Store& s) { return s; }
};

template <>
struct Arg<LPCWSTR> {
  using Store = std::wstring;
  static Store Parse(const Napi::Value& v) {
    if (!v.IsString()) throw Napi::TypeError::New(v.Env(), "expected a string");
    return ToWide(v);
  }
  static LPCWSTR Pass(const Store& s) { return s.c_str(); }
};

template <class E>
struct Arg<E, std::enable_if_t<std::is_enum_v<E>>> {
  using Store = E;
  static Store Parse(const Napi::Value& v) {
    if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), "expected a number");
    return static_cast<E>(v.As<Napi::Number>().Int32Value());
  }
  static E Pass(const Store& s) { return s; }
};

// null/undefined -> no string (BITS's NULL); a string -> its text.
struct OptionalString {
  bool present = false;
  std::wstring value;
  static OptionalString Parse(const Napi::Value& v) {
    OptionalString r;
    if (v.IsNull() || v.IsUndefined()) return r;
    r.present = true;
    r.value = Arg<LPCWSTR>::Parse(v);
    return r;
  }
  LPCWSTR get() const { return present ? value.c_str() : nullptr; }
};
