// Threads: the exports on the JS thread; FakeJob5's methods on the COM pool
// threads, where job5.cc calls it; its last Release on a pool thread.
//
// A job of our own that implements IBackgroundCopyJob5, which Wine's BITS lacks:
// SetProperty keeps the BITS_JOB_PROPERTY_VALUE it is given, byte for byte, under
// its BITS_JOB_PROPERTY_ID, and GetProperty hands back what is kept, as Windows'
// BITS does. The real binding (job5.cc, returned.cc) is driven against it, and a
// test reads and writes the union's bytes as Microsoft lays them out. It counts
// its references, so that a test sees every call and close() give back what
// they took.
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "bits/bits_extra.h"
#include "bits/convert.h"
#include "runtime/addon_state.h"
#include "test/failing_job.h"
#include "test/test_hooks.h"

namespace {

// BG_E_UNKNOWN_PROPERTY_ID: what BITS answers for a property it does not have.
constexpr HRESULT kUnknownPropertyId = static_cast<HRESULT>(0x80200057);
constexpr wchar_t kFakeJobId[] = L"{0F5B7C2E-6A1D-4B3F-9E8A-2C4D6E8F0A1B}";
constexpr GUID kFakeJobGuid = {0x0F5B7C2E, 0x6A1D, 0x4B3F, {0x9E, 0x8A, 0x2C, 0x4D, 0x6E, 0x8F, 0x0A, 0x1B}};

using ValueBytes = std::array<uint8_t, sizeof(BITS_JOB_PROPERTY_VALUE)>;
static_assert(sizeof(BITS_JOB_PROPERTY_VALUE) == 16, "a GUID is the union's largest member");

// What a test reads of the fake. It outlives the object, so that its end shows.
struct Record {
  std::mutex mutex;
  long refs = 0;
  bool alive = false;
  std::map<uint32_t, ValueBytes> values;
};

std::mutex currentMutex;
std::shared_ptr<Record> current;  // the record of the last fake made

std::shared_ptr<Record> Current() {
  std::lock_guard<std::mutex> g(currentMutex);
  return current;
}

class FakeJob5 final : public JobStub<FakeJob5, IBackgroundCopyJob5, IBackgroundCopyJob4, IBackgroundCopyJob3,
                                      IBackgroundCopyJob2, IBackgroundCopyJob> {
 public:
  explicit FakeJob5(std::shared_ptr<Record> record) : record_(std::move(record)) {
    std::lock_guard<std::mutex> g(record_->mutex);
    record_->refs = 1;
    record_->alive = true;
  }
  ~FakeJob5() override {
    std::lock_guard<std::mutex> g(record_->mutex);
    record_->alive = false;
  }

  ULONG STDMETHODCALLTYPE AddRef() noexcept override {
    {
      std::lock_guard<std::mutex> g(record_->mutex);
      record_->refs++;
    }
    return JobStub::AddRef();
  }
  ULONG STDMETHODCALLTYPE Release() noexcept override {
    {
      std::lock_guard<std::mutex> g(record_->mutex);
      record_->refs--;
    }
    return JobStub::Release();  // may delete this: nothing of it is touched after
  }

  HRESULT STDMETHODCALLTYPE GetId(GUID* id) override {
    if (!id) return E_POINTER;
    *id = kFakeJobGuid;
    return S_OK;
  }

  HRESULT STDMETHODCALLTYPE SetProperty(BITS_JOB_PROPERTY_ID id, BITS_JOB_PROPERTY_VALUE value) override {
    ValueBytes bytes;
    std::memcpy(bytes.data(), &value, bytes.size());
    std::lock_guard<std::mutex> g(record_->mutex);
    record_->values[static_cast<uint32_t>(id)] = bytes;
    return S_OK;
  }
  HRESULT STDMETHODCALLTYPE GetProperty(BITS_JOB_PROPERTY_ID id, BITS_JOB_PROPERTY_VALUE* value) override {
    if (!value) return E_POINTER;
    std::lock_guard<std::mutex> g(record_->mutex);
    auto it = record_->values.find(static_cast<uint32_t>(id));
    if (it == record_->values.end()) return kUnknownPropertyId;
    std::memcpy(value, it->second.data(), it->second.size());
    return S_OK;
  }

  // IBackgroundCopyJob2 to 4: not what this fake is for.
  HRESULT STDMETHODCALLTYPE SetNotifyCmdLine(LPCWSTR, LPCWSTR) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetNotifyCmdLine(LPWSTR*, LPWSTR*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetReplyProgress(BG_JOB_REPLY_PROGRESS*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetReplyData(byte**, UINT64*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetReplyFileName(LPCWSTR) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetReplyFileName(LPWSTR*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetCredentials(BG_AUTH_CREDENTIALS*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE RemoveCredentials(BG_AUTH_TARGET, BG_AUTH_SCHEME) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE ReplaceRemotePrefix(LPCWSTR, LPCWSTR) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE AddFileWithRanges(LPCWSTR, LPCWSTR, DWORD, BG_FILE_RANGE[]) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetFileACLFlags(DWORD) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetFileACLFlags(DWORD*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetPeerCachingFlags(DWORD) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetPeerCachingFlags(DWORD*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetOwnerIntegrityLevel(ULONG*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetOwnerElevationState(BOOL*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetMaximumDownloadTime(ULONG) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetMaximumDownloadTime(ULONG*) override { return E_NOTIMPL; }

 private:
  std::shared_ptr<Record> record_;
};

// debugFakeJob5(): a new fake in the object table, as a job handle (the
// record of the previous one is forgotten).
Napi::Value DebugFakeJob5(const Napi::CallbackInfo& info) {
  auto record = std::make_shared<Record>();
  {
    std::lock_guard<std::mutex> g(currentMutex);
    current = record;
  }
  // Made on the pool thread: a task that never runs leaves nothing behind.
  return AddonState::From(info.Env())
      ->Schedule(info.Env(), "debugFakeJob5", [record](ObjectTable& objects, Call& call) {
        uint64_t id = objects.Add<IBackgroundCopyJob>(new FakeJob5(record));
        call.result = HandleValue(HandleKind::Job, id, kFakeJobId);
        return S_OK;
      });
}

// debugFakeJob5Record(): { refs, alive, values: { [id]: Buffer of the union's 16 bytes } }, or null.
Napi::Value DebugFakeJob5Record(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<Record> record = Current();
  if (!record) return env.Null();
  std::lock_guard<std::mutex> g(record->mutex);
  Napi::Object values = Napi::Object::New(env);
  for (const auto& [id, bytes] : record->values)
    values.Set(id, Napi::Buffer<uint8_t>::Copy(env, bytes.data(), bytes.size()));
  Napi::Object o = Napi::Object::New(env);
  o.Set("refs", Napi::Number::New(env, record->refs));
  o.Set("alive", Napi::Boolean::New(env, record->alive));
  o.Set("values", values);
  return o;
}

// debugFakeJob5Put(id, bytes): what the fake's GetProperty answers for id, as
// BITS would have it (16 bytes, the union's layout).
Napi::Value DebugFakeJob5Put(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsBuffer() ||
      info[1].As<Napi::Buffer<uint8_t>>().Length() != sizeof(ValueBytes)) {
    throw Napi::TypeError::New(env, "expected debugFakeJob5Put(id, a Buffer of 16 bytes)");
  }
  std::shared_ptr<Record> record = Current();
  if (!record) throw Napi::Error::New(env, "no fake job: call debugFakeJob5() first");
  ValueBytes bytes;
  std::memcpy(bytes.data(), info[1].As<Napi::Buffer<uint8_t>>().Data(), bytes.size());
  std::lock_guard<std::mutex> g(record->mutex);
  record->values[info[0].As<Napi::Number>().Uint32Value()] = bytes;
  return env.Undefined();
}

}  // namespace

void RegisterFakeJob5Exports(Napi::Env env, Napi::Object exports) {
  exports.Set("debugFakeJob5", Napi::Function::New<DebugFakeJob5>(env, "debugFakeJob5"));
  exports.Set("debugFakeJob5Record", Napi::Function::New<DebugFakeJob5Record>(env, "debugFakeJob5Record"));
  exports.Set("debugFakeJob5Put", Napi::Function::New<DebugFakeJob5Put>(env, "debugFakeJob5Put"));
}
