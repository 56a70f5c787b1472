#include "bits/cert_validator.h"

#include <chrono>
#include <future>
#include <memory>
#include <vector>

namespace {

// CERT_E_UNTRUSTEDROOT: what BITS reports when the JS function says no.
constexpr HRESULT kRefused = static_cast<HRESULT>(0x800B0109);

struct Question {
  std::vector<uint8_t> cert;
  DWORD encoding;
  std::promise<HRESULT> answer;
  std::atomic<bool> answered{false};
  void Answer(HRESULT hr) {
    if (!answered.exchange(true)) answer.set_value(hr);
  }
};

}  // namespace

CertValidator::CertValidator(Napi::Env env, Napi::Function fn) {
  tsfn_ = Napi::ThreadSafeFunction::New(env, fn, "windows-bits:cert-validation", 0, 1);
  tsfn_.Unref(env);
}

CertValidator::~CertValidator() { tsfn_.Release(); }

HRESULT CertValidator::ValidateServerCertificate(IUnknown*, IUnknown*, DWORD certLength, const BYTE certData[],
                                                 DWORD certEncodingType, DWORD, const BYTE[]) {
  auto q = std::make_shared<Question>();
  q->cert.assign(certData, certData + certLength);
  q->encoding = certEncodingType;
  std::future<HRESULT> answer = q->answer.get_future();
  auto* data = new std::shared_ptr<Question>(q);
  napi_status status = tsfn_.BlockingCall(data, [](Napi::Env env, Napi::Function fn, std::shared_ptr<Question>* p) {
    std::shared_ptr<Question> q = *p;
    delete p;
    if (!env) return q->Answer(kRefused);
    try {
      Napi::Value result = fn.Call(
          {Napi::Buffer<uint8_t>::Copy(env, q->cert.data(), q->cert.size()), Napi::Number::New(env, q->encoding)});
      if (result.IsBoolean()) return q->Answer(result.As<Napi::Boolean>().Value() ? S_OK : kRefused);
      if (result.IsPromise()) {
        Napi::Object promise = result.As<Napi::Object>();
        auto onFulfilled = Napi::Function::New(env, [q](const Napi::CallbackInfo& info) {
          q->Answer(info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value() ? S_OK : kRefused);
        });
        auto onRejected = Napi::Function::New(env, [q](const Napi::CallbackInfo&) { q->Answer(kRefused); });
        promise.Get("then").As<Napi::Function>().Call(promise, {onFulfilled, onRejected});
        return;
      }
      q->Answer(kRefused);
    } catch (const Napi::Error&) {
      q->Answer(kRefused);  // a throwing validator refuses; the exception goes no further
    }
  });
  if (status != napi_ok) {
    delete data;
    return kRefused;
  }
  if (answer.wait_for(std::chrono::seconds(30)) != std::future_status::ready) return kRefused;
  return answer.get();
}
