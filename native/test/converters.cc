// Threads: the JS thread (debugConvert); the malloc spy on any thread.
//
// debugConvert(kind, input): the converters of bits/returned.h, bits/convert.h
// and runtime/scalars.h that the product runs right after a BITS call, run here
// on values laid out as Windows returns them: CoTaskMemAlloc'd strings, arrays
// and blobs, and the real structs and unions of the MinGW headers and
// bits/bits_extra.h. Only the call into BITS is left out.
//
// An IMallocSpy (CoRegisterMallocSpy, registered once for the process) watches
// every CoTaskMemAlloc and CoTaskMemFree: the result says how many blocks this
// thread allocated while building the input, how many of those the converter
// freed, whether any was freed twice (the second free is swallowed so the heap
// survives to tell) and how many are left.
#include <windows.h>
#include <objbase.h>
#include <sddl.h>

#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "bits/convert.h"
#include "bits/returned.h"
#include "runtime/scalars.h"
#include "test/alloc_failure.h"
#include "test/test_hooks.h"

namespace {

thread_local bool measuring = false;

class CountingSpy : public IMallocSpy {
 public:
  struct Counts {
    size_t allocations = 0, frees = 0, doubleFrees = 0;
  };
  void Begin() {
    std::lock_guard<std::mutex> lock(mutex_);
    counts_ = Counts();
    live_.clear();
    measuring = true;
  }
  Counts End(size_t* leaked) {
    std::lock_guard<std::mutex> lock(mutex_);
    measuring = false;
    *leaked = live_.size();
    leaks_.insert(live_.begin(), live_.end());  // FreeLeaks frees them, uncounted
    live_.clear();
    return counts_;
  }
  void FreeLeaks() {
    std::set<void*> leaks;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      leaks.swap(leaks_);
    }
    for (void* p : leaks) CoTaskMemFree(p);
  }

  HRESULT STDMETHODCALLTYPE QueryInterface(REFIID iid, void** out) override {
    if (iid == IID_IUnknown || iid == IID_IMallocSpy) {
      *out = static_cast<IMallocSpy*>(this);
      return S_OK;
    }
    *out = nullptr;
    return E_NOINTERFACE;
  }
  ULONG STDMETHODCALLTYPE AddRef() override { return 2; }  // static lifetime
  ULONG STDMETHODCALLTYPE Release() override { return 1; }

  SIZE_T STDMETHODCALLTYPE PreAlloc(SIZE_T cb) override { return cb; }
  void* STDMETHODCALLTYPE PostAlloc(void* p) override {
    if (!p) return p;
    AllocationFailuresPaused bookkeeping;  // the sets allocate: not the converter's allocations
    std::lock_guard<std::mutex> lock(mutex_);
    freed_.erase(p);  // the address is in use again
    if (measuring) {
      counts_.allocations++;
      live_.insert(p);
    }
    return p;
  }
  void* STDMETHODCALLTYPE PreFree(void* p, BOOL) override {
    if (!p) return p;
    AllocationFailuresPaused bookkeeping;
    std::lock_guard<std::mutex> lock(mutex_);
    if (live_.erase(p)) {
      counts_.frees++;
      freed_.insert(p);
    } else if (freed_.count(p)) {
      counts_.doubleFrees++;
      return nullptr;  // HeapFree(NULL): the heap survives the bug
    }
    return p;
  }
  void STDMETHODCALLTYPE PostFree(BOOL) override {}
  SIZE_T STDMETHODCALLTYPE PreRealloc(void* p, SIZE_T cb, void** out, BOOL) override {
    *out = p;
    return cb;
  }
  void* STDMETHODCALLTYPE PostRealloc(void* p, BOOL) override { return p; }
  void* STDMETHODCALLTYPE PreGetSize(void* p, BOOL) override { return p; }
  SIZE_T STDMETHODCALLTYPE PostGetSize(SIZE_T cb, BOOL) override { return cb; }
  void* STDMETHODCALLTYPE PreDidAlloc(void* p, BOOL) override { return p; }
  int STDMETHODCALLTYPE PostDidAlloc(void*, BOOL, int actual) override { return actual; }
  void STDMETHODCALLTYPE PreHeapMinimize() override {}
  void STDMETHODCALLTYPE PostHeapMinimize() override {}

 private:
  std::mutex mutex_;
  Counts counts_;
  std::set<void*> live_, freed_, leaks_;
};

CountingSpy* Spy(Napi::Env env) {
  static CountingSpy spy;
  static HRESULT registered = CoRegisterMallocSpy(&spy);
  if (FAILED(registered)) {
    throw Napi::Error::New(env, "CoRegisterMallocSpy failed: 0x" + std::to_string(static_cast<uint32_t>(registered)));
  }
  return &spy;
}

// What BITS hands back: a CoTaskMem copy of a string, or NULL for JS null.
// Inputs are built with injected failures paused: only the converter's own
// allocations are made to fail.
LPWSTR CoTaskString(const Napi::Value& v) {
  AllocationFailuresPaused building;
  if (!v.IsString()) return nullptr;
  std::wstring s = ToWide(v);
  auto* p = static_cast<LPWSTR>(CoTaskMemAlloc((s.size() + 1) * sizeof(wchar_t)));
  if (p) std::memcpy(p, s.c_str(), (s.size() + 1) * sizeof(wchar_t));
  return p;
}

UINT64 U64(const Napi::Value& v) {
  if (v.IsBigInt()) {
    bool lossless = true;
    return v.As<Napi::BigInt>().Uint64Value(&lossless);
  }
  return static_cast<UINT64>(v.As<Napi::Number>().DoubleValue());
}

// null: a zero FILETIME (BITS's "never"); "now": the system clock; a number: ms since 1970.
FILETIME FileTimeOf(const Napi::Value& v) {
  FILETIME ft{};
  if (v.IsString()) {
    GetSystemTimeAsFileTime(&ft);
  } else if (v.IsNumber()) {
    UINT64 t = static_cast<UINT64>(v.As<Napi::Number>().Int64Value()) * 10000 + 116444736000000000ULL;
    ft.dwLowDateTime = static_cast<DWORD>(t);
    ft.dwHighDateTime = static_cast<DWORD>(t >> 32);
  }
  return ft;
}

// The string SID of this process's user, in CoTaskMem, as GetOwner returns one.
LPWSTR CurrentUserSid() {
  AllocationFailuresPaused building;
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return nullptr;
  std::vector<BYTE> buffer(256);
  DWORD needed = 0;
  LPWSTR local = nullptr;
  if (GetTokenInformation(token, TokenUser, buffer.data(), static_cast<DWORD>(buffer.size()), &needed)) {
    ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &local);
  }
  CloseHandle(token);
  if (!local) return nullptr;
  size_t bytes = (wcslen(local) + 1) * sizeof(wchar_t);
  auto* p = static_cast<LPWSTR>(CoTaskMemAlloc(bytes));
  if (p) std::memcpy(p, local, bytes);
  LocalFree(local);
  return p;
}

// Builds the input as Windows would and runs the product's converter on it.
NValue Convert(const std::string& kind, const Napi::Value& input, HRESULT* hr) {
  Napi::Env env = input.Env();
  Napi::Object o = input.IsObject() ? input.As<Napi::Object>() : Napi::Object::New(env);
  if (kind == "jobProperty") {  // { id, dword | clsid | enable | uint64 | target }
    BITS_JOB_PROPERTY_VALUE v;
    std::memset(&v, 0xA5, sizeof v);  // the members the id does not use hold garbage
    if (o.Has("dword")) v.Dword = o.Get("dword").As<Napi::Number>().Uint32Value();
    if (o.Has("clsid")) CLSIDFromString(ToWide(o.Get("clsid")).c_str(), &v.ClsID);
    if (o.Has("enable")) v.Enable = o.Get("enable").ToBoolean() ? TRUE : FALSE;
    if (o.Has("uint64")) v.Uint64 = U64(o.Get("uint64"));
    if (o.Has("target")) v.Target = static_cast<BG_AUTH_TARGET>(o.Get("target").As<Napi::Number>().Int32Value());
    return JobPropertyToNValue(static_cast<BITS_JOB_PROPERTY_ID>(o.Get("id").As<Napi::Number>().Int32Value()), v);
  }
  if (kind == "fileProperty") {  // text or null
    BITS_FILE_PROPERTY_VALUE v;
    v.String = CoTaskString(input);
    return TakeResponseHeaders(v);
  }
  if (kind == "ranges") {  // { ranges: [{ offset, length | null }], nullArray? }
    Napi::Array list = o.Get("ranges").As<Napi::Array>();
    DWORD count = list.Length();
    BG_FILE_RANGE* ranges = nullptr;
    if (!o.Get("nullArray").ToBoolean()) {
      ranges = static_cast<BG_FILE_RANGE*>(CoTaskMemAlloc(count * sizeof(BG_FILE_RANGE)));
      for (DWORD i = 0; i < count; i++) {
        Napi::Object r = list.Get(i).As<Napi::Object>();
        ranges[i].InitialOffset = U64(r.Get("offset"));
        ranges[i].Length = r.Get("length").IsNull() ? BG_LENGTH_TO_EOF : U64(r.Get("length"));
      }
    }
    return TakeRanges(count, ranges);
  }
  if (kind == "replyData") {  // { length, nullData? }: byte i is (i * 31 + 7) & 0xff
    UINT64 length = U64(o.Get("length"));
    byte* data = nullptr;
    if (!o.Get("nullData").ToBoolean()) {
      data = static_cast<byte*>(CoTaskMemAlloc(length));
      for (UINT64 i = 0; i < length; i++) data[i] = static_cast<byte>(i * 31 + 7);
    }
    return TakeReplyData(data, length);
  }
  if (kind == "times") {  // [creation, modification, transferCompletion]
    Napi::Array t = input.As<Napi::Array>();
    BG_JOB_TIMES times{FileTimeOf(t.Get(0u)), FileTimeOf(t.Get(1u)), FileTimeOf(t.Get(2u))};
    return ToNValue(times);
  }
  if (kind == "peerStats") return PeerStatsToNValue(U64(o.Get("fromOrigin")), U64(o.Get("fromPeers")));
  if (kind == "owner") {  // a SID string, or null for this process's user; the JOB_GET<LPWSTR> converter
    return ToNValue(input.IsString() ? CoTaskString(input) : CurrentUserSid());
  }
  if (kind == "nonEmptyTextOrNull") return NonEmptyTextOrNull(CoTaskString(input));  // GetReplyFileName and the like
  if (kind == "notifyCmdLine")
    return TakeNotifyCmdLine(CoTaskString(o.Get("program")), CoTaskString(o.Get("parameters")));
  if (kind == "clientCertificate") {  // { hresult, location, store, hash: Buffer | null, subject }
    BYTE* hash = nullptr;
    if (o.Get("hash").IsBuffer()) {
      auto b = o.Get("hash").As<Napi::Buffer<uint8_t>>();
      hash = static_cast<BYTE*>(CoTaskMemAlloc(b.Length()));
      std::memcpy(hash, b.Data(), b.Length());
    }
    NValue out;
    *hr = TakeClientCertificate(static_cast<HRESULT>(o.Get("hresult").As<Napi::Number>().Uint32Value()),
                                static_cast<BG_CERT_STORE_LOCATION>(o.Get("location").As<Napi::Number>().Int32Value()),
                                CoTaskString(o.Get("store")), hash, CoTaskString(o.Get("subject")), &out);
    return out;
  }
  if (kind == "spyCheck") {  // { leak, doubleFree }: proves the counting itself
    LPWSTR s = CoTaskString(Napi::String::New(env, "spy"));
    if (!o.Get("leak").ToBoolean()) CoTaskMemFree(s);
    if (o.Get("doubleFree").ToBoolean()) CoTaskMemFree(s);
    return NValue::Null();
  }
  throw Napi::TypeError::New(env, "debugConvert: unknown kind '" + kind + "'");
}

Napi::Value DebugConvert(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "expected debugConvert(kind, input)");
  std::string kind = info[0].As<Napi::String>().Utf8Value();
  // failAt: let that many C++ allocations of this thread through, then fail the
  // next one (std::bad_alloc), as a user's machine may; the converter must still
  // free every CoTaskMem block it was handed, exactly once.
  const bool inject = info[2].IsNumber();
  CountingSpy* spy = Spy(env);
  HRESULT hr = S_OK;
  NValue value;
  bool threw = false;
  std::exception_ptr other;
  spy->Begin();
  if (inject) FailAllocations(info[2].As<Napi::Number>().Uint32Value(), 1);
  try {
    value = Convert(kind, info[1], &hr);
  } catch (const std::bad_alloc&) {
    threw = true;
  } catch (...) {
    other = std::current_exception();
  }
  // One way out: the plan ended and the books closed, whatever happened.
  const uint32_t failedAllocations = inject ? TakeAllocationsFailed() : 0;
  size_t leaked = 0;
  CountingSpy::Counts c = spy->End(&leaked);
  spy->FreeLeaks();
  if (other) std::rethrow_exception(other);
  if (threw && !inject) throw Napi::Error::New(env, "debugConvert: out of memory");
  Napi::Object o = Napi::Object::New(env);
  o.Set("value", value.ToJs(env, NValue::NoHandles));
  o.Set("hresult", Napi::Number::New(env, static_cast<uint32_t>(hr)));
  o.Set("allocations", Napi::Number::New(env, static_cast<double>(c.allocations)));
  o.Set("frees", Napi::Number::New(env, static_cast<double>(c.frees)));
  o.Set("doubleFrees", Napi::Number::New(env, static_cast<double>(c.doubleFrees)));
  o.Set("leaked", Napi::Number::New(env, static_cast<double>(leaked)));
  o.Set("failedAllocations", Napi::Number::New(env, failedAllocations));
  o.Set("threw", Napi::Boolean::New(env, threw));
  return o;
}

}  // namespace

void RegisterConverterExports(Napi::Env env, Napi::Object exports) {
  exports.Set("debugConvert", Napi::Function::New<DebugConvert>(env, "debugConvert"));
}
