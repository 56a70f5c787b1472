// Threads: see cert_validator.h (JS thread, BITS's RPC threads, teardown).
#include "bits/cert_validator.h"

CertValidator::CertValidator(Napi::Env env, Napi::Function fn, std::shared_ptr<ClosableSet> live,
                             std::chrono::milliseconds limit)
    : live_(std::move(live)), limit_(limit) {
  tsfn_ = Tsfn::New(env, fn, "windows-bits:cert-validation", 0, 1);
  tsfn_.Unref(env);
  live_->Add(this);
}

CertValidator::~CertValidator() { live_->RemoveAndClose(this); }

void CertValidator::Close() { CloseWith(kRefused); }

void CertValidator::Retire() { CloseWith(kRetired); }

void CertValidator::CloseWith(HRESULT answer) {
  std::lock_guard<std::mutex> g(mutex_);
  if (closed_) return;
  closed_ = true;
  closedAnswer_ = answer;
  tsfn_.Release();
  for (const QuestionPtr& q : waiting_) q->Answer(answer);
}

HRESULT ReleaseValidator(IBackgroundCopyJobHttpOptions3* job, CertValidator* validator) {
  HRESULT hr = job->SetServerCertificateValidationInterface(nullptr);
  validator->Retire();
  return hr;
}

HRESULT CertValidator::ValidateServerCertificate(IBackgroundCopyJob*, IBackgroundCopyFile*, DWORD certLength,
                                                 const BYTE certData[], DWORD certEncodingType, DWORD,
                                                 const BYTE[]) try {
  if (!certData && certLength) return kRefused;
  auto q = std::make_shared<Question>();
  q->cert.assign(certData, certData + certLength);
  q->encoding = certEncodingType;
  std::future<HRESULT> answer = q->answer.get_future();
  {
    std::lock_guard<std::mutex> g(mutex_);
    if (closed_) return closedAnswer_;
    auto data = std::make_unique<QuestionPtr>(q);
    if (tsfn_.NonBlockingCall(data.get()) != napi_ok) return kRefused;
    data.release();  // the queue owns it now; CallJs frees it
    waiting_.insert(q);
  }
  bool ready = answer.wait_for(limit_) == std::future_status::ready;
  {
    std::lock_guard<std::mutex> g(mutex_);
    waiting_.erase(q);
  }
  if (!ready) q->Answer(kRefused);  // a late answer from JS then changes nothing
  return ready ? answer.get() : kRefused;
} catch (...) {
  return kRefused;
}

void CertValidator::CallJs(Napi::Env env, Napi::Function fn, void*, QuestionPtr* question) {
  std::unique_ptr<QuestionPtr> owned(question);
  QuestionPtr q = *owned;
  if (!env || fn.IsEmpty()) return q->Answer(kRefused);
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
  } catch (...) {
    q->Answer(kRefused);  // a throwing validator refuses; the exception goes no further
  }
}
