// BITS values to NValue (COM thread) and JS arguments to C++ values (JS thread).
#pragma once

#include <napi.h>
#include <bits.h>
#include <bits1_5.h>

#include <string>
#include <type_traits>

#include "runtime/com_ptr.h"
#include "runtime/strings.h"
#include "runtime/value.h"

// FILETIME counts 100 ns steps from 1601; JS wants milliseconds from 1970. A
// zero FILETIME means "never" in BITS (e.g. TransferCompletionTime of a live job).
inline NValue FileTimeToMs(const FILETIME& ft) {
  uint64_t t = (static_cast<uint64_t>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime;
  if (t == 0) return NValue::Null();
  return NValue::Number(static_cast<double>(t - 116444736000000000ULL) / 10000.0);
}

inline NValue Bytes(UINT64 n) { return n == BG_SIZE_UNKNOWN ? NValue::Null() : NValue::Number(static_cast<double>(n)); }

inline NValue ToNValue(unsigned long v) { return NValue::Number(v); }
inline NValue ToNValue(unsigned long long v) { return NValue::Number(static_cast<double>(v)); }
inline NValue ToNValue(int v) { return NValue::Bool(v != 0); }  // BOOL
inline NValue ToNValue(LPWSTR s) { return NValue::String(TakeCoTaskString(s)); }
inline NValue ToNValue(const GUID& g) { return NValue::String(GuidToString(g)); }
template <class E, std::enable_if_t<std::is_enum_v<E>, int> = 0>
NValue ToNValue(E v) {
  return NValue::Number(static_cast<double>(v));
}
inline NValue ToNValue(const BG_JOB_PROGRESS& p) {
  return NValue::Object()
      .Set("bytesTotal", Bytes(p.BytesTotal))
      .Set("bytesTransferred", NValue::Number(static_cast<double>(p.BytesTransferred)))
      .Set("filesTotal", NValue::Number(p.FilesTotal))
      .Set("filesTransferred", NValue::Number(p.FilesTransferred));
}
inline NValue ToNValue(const BG_JOB_TIMES& t) {
  return NValue::Object()
      .Set("creationTime", FileTimeToMs(t.CreationTime))
      .Set("modificationTime", FileTimeToMs(t.ModificationTime))
      .Set("transferCompletionTime", FileTimeToMs(t.TransferCompletionTime));
}
inline NValue ToNValue(const BG_FILE_PROGRESS& p) {
  return NValue::Object()
      .Set("bytesTotal", Bytes(p.BytesTotal))
      .Set("bytesTransferred", NValue::Number(static_cast<double>(p.BytesTransferred)))
      .Set("completed", NValue::Bool(p.Completed != FALSE));
}
inline NValue ToNValue(const BG_JOB_REPLY_PROGRESS& p) {
  return NValue::Object()
      .Set("bytesTotal", Bytes(p.BytesTotal))
      .Set("bytesTransferred", NValue::Number(static_cast<double>(p.BytesTransferred)));
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
