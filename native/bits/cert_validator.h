// Threads: made on the JS thread; ValidateServerCertificate runs on BITS's RPC
// threads and waits there for the JS thread's answer; CallJs on the JS thread
// (or with no environment at teardown); Close on the JS thread at shutdown or
// wherever the last reference goes; Retire and ReleaseValidator on the COM pool
// thread at the release of the job handle that set the validator.
//
// IBackgroundCopyJobHttpOptions3's server certificate validation: BITS asks our
// object whether to trust a server's certificate; we ask a JS function and wait
// for its answer (a boolean or a promise of one), at most `limit`, after which
// the certificate is refused.
#pragma once

#include <napi.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "bits/bits_extra.h"
#include "runtime/closable.h"
#include "runtime/com_object.h"

class CertValidator final : public ComObject<CertValidator, IBackgroundCopyServerCertificateValidationCallback>,
                            public Closable {
 public:
  // CERT_E_UNTRUSTEDROOT: the answer for "no", for a JS error, and whenever
  // the question cannot be asked or answered.
  static constexpr HRESULT kRefused = CERT_E_UNTRUSTEDROOT;
  // BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED: every answer once retired. It is
  // the error BITS itself records when it cannot reach an application's validator
  // (SetServerCertificateValidationInterface's page), and its documented cure is the
  // same here: set a validator again and resume the job.
  static constexpr HRESULT kRetired = static_cast<HRESULT>(0x80200074);

  // JS thread. Registers itself in `live`, which closes it when the environment goes.
  CertValidator(Napi::Env env, Napi::Function fn, std::shared_ptr<ClosableSet> live,
                std::chrono::milliseconds limit = std::chrono::milliseconds(30000));
  // Wherever the last reference goes (often BITS's RPC threads).
  ~CertValidator() override;

  // BITS's RPC threads: blocks until JS answers, Close, or `limit`.
  HRESULT STDMETHODCALLTYPE ValidateServerCertificate(IBackgroundCopyJob* job, IBackgroundCopyFile* file,
                                                      DWORD certLength, const BYTE certData[], DWORD certEncodingType,
                                                      DWORD certStoreLength, const BYTE certStoreData[]) override;

  // JS thread at shutdown, or the destructor's thread. Releases the thread-safe function once and refuses every waiting
  // question; later questions are refused at once without touching it.
  void Close() override;
  // Any thread (the COM pool's, at the job handle's release). As Close, but every
  // question from now on, and every one waiting, gets kRetired: JS is never asked again.
  void Retire();

 private:
  struct Question {
    std::vector<uint8_t> cert;
    DWORD encoding = 0;
    std::promise<HRESULT> answer;
    std::atomic<bool> answered{false};
    void Answer(HRESULT hr) {
      if (!answered.exchange(true)) answer.set_value(hr);
    }
  };
  using QuestionPtr = std::shared_ptr<Question>;

  // Every queued question comes here exactly once: with an environment, to ask
  // JS; or with none while Node empties the queue at teardown, to refuse it.
  static void CallJs(Napi::Env env, Napi::Function fn, void* context, QuestionPtr* question);
  using Tsfn = Napi::TypedThreadSafeFunction<void, QuestionPtr, &CertValidator::CallJs>;

  void CloseWith(HRESULT answer);

  std::mutex mutex_;
  Tsfn tsfn_;
  bool closed_ = false;
  HRESULT closedAnswer_ = kRefused;
  std::unordered_set<QuestionPtr> waiting_;
  std::shared_ptr<ClosableSet> live_;
  std::chrono::milliseconds limit_;
};

// The COM pool thread, at the release of the job handle that set `validator`. BITS
// takes the clearing only while the job is suspended (BG_E_READ_ONLY_WHEN_JOB_ACTIVE
// otherwise), and a handle's release must not change the job's state: no suspend,
// clear and resume behind the application's back. So the clearing is asked for, and
// whatever BITS answers, the validator retires: where BITS keeps its reference it
// holds an object that refuses with kRetired from then on, never a JS function of a
// handle the application let go. Returns what SetServerCertificateValidationInterface
// answered.
HRESULT ReleaseValidator(IBackgroundCopyJobHttpOptions3* job, CertValidator* validator);
