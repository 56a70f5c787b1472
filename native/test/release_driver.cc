// Threads: the JS thread only (the export runs there, start to end).
//
// The release of a job handle that set a certificate validator, with a stand-in
// for BITS's IBackgroundCopyJobHttpOptions3: Wine has none, and on Windows BITS's
// answer to the clearing depends on the job's state (BG_E_READ_ONLY_WHEN_JOB_ACTIVE
// unless it is suspended). The stand-in answers the clearing as told and keeps its
// reference to the validator exactly when BITS would, so both paths of
// ReleaseValidator run here: the clearing taken, and the clearing refused.
#include <windows.h>
#include <wincrypt.h>

#include <chrono>
#include <memory>
#include <vector>

#include "bits/bits_extra.h"
#include "bits/cert_validator.h"
#include "runtime/addon_state.h"
#include "test/test_hooks.h"

namespace {

class StandInHttpOptions3 final : public ComObject<StandInHttpOptions3, IBackgroundCopyJobHttpOptions3,
                                                   IBackgroundCopyJobHttpOptions2, IBackgroundCopyJobHttpOptions> {
 public:
  explicit StandInHttpOptions3(HRESULT clearing) : clearing_(clearing) {}
  ~StandInHttpOptions3() override {
    if (held_) held_->Release();
  }

  // As BITS: a validator set is held; a clearing is answered `clearing_`, and
  // only a clearing that succeeds lets the validator go.
  HRESULT STDMETHODCALLTYPE SetServerCertificateValidationInterface(IUnknown* validator) override {
    if (validator) {
      validator->AddRef();
      if (held_) held_->Release();
      held_ = validator;
      return S_OK;
    }
    clearings++;
    if (SUCCEEDED(clearing_) && held_) {
      held_->Release();
      held_ = nullptr;
    }
    return clearing_;
  }
  bool Holds() const { return held_ != nullptr; }
  int clearings = 0;

  HRESULT STDMETHODCALLTYPE MakeCustomHeadersWriteOnly() override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetHttpMethod(LPCWSTR) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetHttpMethod(LPWSTR*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetClientCertificateByID(BG_CERT_STORE_LOCATION, LPCWSTR, BYTE*) override {
    return E_NOTIMPL;
  }
  HRESULT STDMETHODCALLTYPE SetClientCertificateByName(BG_CERT_STORE_LOCATION, LPCWSTR, LPCWSTR) override {
    return E_NOTIMPL;
  }
  HRESULT STDMETHODCALLTYPE RemoveClientCertificate() override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetClientCertificate(BG_CERT_STORE_LOCATION*, LPWSTR*, BYTE**, LPWSTR*) override {
    return E_NOTIMPL;
  }
  HRESULT STDMETHODCALLTYPE SetCustomHeaders(LPCWSTR) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetCustomHeaders(LPWSTR*) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE SetSecurityFlags(ULONG) override { return E_NOTIMPL; }
  HRESULT STDMETHODCALLTYPE GetSecurityFlags(ULONG*) override { return E_NOTIMPL; }

 private:
  HRESULT clearing_;
  IUnknown* held_ = nullptr;
};

// debugReleaseValidator(fn, plan): see test/support/test-binding.d.ts.
Napi::Value DebugReleaseValidator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction() || !info[1].IsObject()) {
    throw Napi::TypeError::New(env, "expected debugReleaseValidator(fn, plan)");
  }
  Napi::Object plan = info[1].As<Napi::Object>();
  if (!plan.Get("clearing").IsNumber() || !plan.Get("certificate").IsBuffer() || !plan.Get("limitMs").IsNumber()) {
    throw Napi::TypeError::New(env, "plan.clearing, plan.certificate (Buffer) and plan.limitMs are required");
  }
  auto clearing = static_cast<HRESULT>(plan.Get("clearing").As<Napi::Number>().Int64Value());
  auto bytes = plan.Get("certificate").As<Napi::Buffer<uint8_t>>();
  std::vector<BYTE> cert(bytes.Data(), bytes.Data() + bytes.Length());
  std::chrono::milliseconds limit(plan.Get("limitMs").As<Napi::Number>().Int64Value());
  AddonState* state = AddonState::From(env);
  // The object setServerCertificateValidation makes, set on the stand-in as on BITS.
  std::shared_ptr<CertValidator> validator(
      new CertValidator(env, info[0].As<Napi::Function>(), state->closables(), limit),
      [](CertValidator* v) { v->Release(); });
  auto* job = new StandInHttpOptions3(clearing);
  job->SetServerCertificateValidationInterface(validator.get());
  HRESULT cleared = ReleaseValidator(job, validator.get());
  // Then asked as BITS asks the validator it kept. Retired, it answers at once; were
  // it not, it would wait for JS, which cannot run while this export holds the JS
  // thread, and answer kRefused at `limit`: the test sees that as the failure.
  HRESULT answer = validator->ValidateServerCertificate(nullptr, nullptr, static_cast<DWORD>(cert.size()), cert.data(),
                                                        X509_ASN_ENCODING, 0, nullptr);
  Napi::Object result = Napi::Object::New(env);
  result.Set("cleared", Napi::Number::New(env, static_cast<uint32_t>(cleared)));
  result.Set("clearings", Napi::Number::New(env, job->clearings));
  result.Set("bitsHolds", Napi::Boolean::New(env, job->Holds()));
  result.Set("answer", Napi::Number::New(env, static_cast<uint32_t>(answer)));
  job->Release();
  return result;
}

}  // namespace

void RegisterReleaseDriverExports(Napi::Env env, Napi::Object exports) {
  exports.Set("debugReleaseValidator", Napi::Function::New<DebugReleaseValidator>(env, "debugReleaseValidator"));
}
