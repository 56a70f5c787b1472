// Threads: the ToNValue/TakeRanges converters on the COM pool threads or BITS's
// RPC threads (our callback); ParseRanges on the JS thread.
//
// BITS's structs to NValue, and JS ranges to BG_FILE_RANGE. The one progress
// converter and the one range parser and converter of the addon: promise
// results and callback events both use them.
#pragma once

#include <napi.h>

#include <string>
#include <utility>
#include <vector>

#include "bits/bits_extra.h"
#include "runtime/scalars.h"
#include "runtime/value.h"

// The wrapper classes the module registers with the runtime, by NativeHandle::kind.
enum class HandleKind : uint32_t { Manager, Job, File };

// A COM object already in the table, handed to JS as an object of `kind`'s class.
inline NValue HandleValue(HandleKind kind, uint64_t id, std::wstring name = {}) {
  return NValue::Handle({static_cast<uint32_t>(kind), id, std::move(name)});
}

// FILETIME counts 100 ns steps from 1601; JS wants milliseconds from 1970. A
// zero FILETIME means "never" in BITS (e.g. TransferCompletionTime of a live job).
inline NValue FileTimeToMs(const FILETIME& ft) {
  uint64_t t = (static_cast<uint64_t>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime;
  if (t == 0) return NValue::Null();
  return NValue::Number(static_cast<double>(t - 116444736000000000ULL) / 10000.0);
}

inline NValue Bytes(UINT64 n) { return n == BG_SIZE_UNKNOWN ? NValue::Null() : NValue::Number(static_cast<double>(n)); }

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

// { offset, length } objects; length null for BG_LENGTH_TO_EOF.
inline NValue RangesToNValue(const BG_FILE_RANGE* ranges, DWORD count) {
  NValue list = NValue::Array();
  for (DWORD i = 0; ranges && i < count; i++) {
    list.Push(NValue::Object()
                  .Set("offset", NValue::Number(static_cast<double>(ranges[i].InitialOffset)))
                  .Set("length", ranges[i].Length == BG_LENGTH_TO_EOF
                                     ? NValue::Null()
                                     : NValue::Number(static_cast<double>(ranges[i].Length))));
  }
  return list;
}

// Takes over a CoTaskMem array of ranges as BITS returns it.
inline NValue TakeRanges(DWORD count, BG_FILE_RANGE* ranges) {
  NValue list = RangesToNValue(ranges, count);
  if (ranges) CoTaskMemFree(ranges);
  return list;
}

// JS { offset, length } objects (length null or absent: to the end of the file).
inline std::vector<BG_FILE_RANGE> ParseRanges(const Napi::Value& v) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), "expected an array of ranges");
  Napi::Array list = v.As<Napi::Array>();
  std::vector<BG_FILE_RANGE> ranges;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value item = list.Get(i);
    if (!item.IsObject() || !item.As<Napi::Object>().Get("offset").IsNumber()) {
      throw Napi::TypeError::New(v.Env(), "expected {offset, length} objects");
    }
    Napi::Object o = item.As<Napi::Object>();
    Napi::Value length = o.Get("length");
    ranges.push_back(
        {static_cast<UINT64>(o.Get("offset").As<Napi::Number>().DoubleValue()),
         length.IsNumber() ? static_cast<UINT64>(length.As<Napi::Number>().DoubleValue()) : BG_LENGTH_TO_EOF});
  }
  return ranges;
}
