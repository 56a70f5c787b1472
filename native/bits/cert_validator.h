// Threads: made on the JS thread; ValidateServerCertificate runs on BITS's RPC
// threads and waits there for the JS thread's answer; CallJs on the JS thread
// (or with no environment at teardown); Close on the JS thread at shutdown or
// wherever the last reference goes.
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

  std::mutex mutex_;
  Tsfn tsfn_;
  bool closed_ = false;
  std::unordered_set<QuestionPtr> waiting_;
  std::shared_ptr<ClosableSet> live_;
  std::chrono::milliseconds limit_;
};
