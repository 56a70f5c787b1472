// IBackgroundCopyJobHttpOptions3's server certificate validation: BITS asks our
// object, on a thread of its own, whether to trust a server's certificate; we ask a
// JS function on the JS thread and wait for its answer (a boolean or a promise of
// one), at most 30 seconds, after which the certificate is refused.
#pragma once

#include <napi.h>

#include <atomic>

#include "bits/bits_extra.h"
#include "runtime/com_object.h"

class CertValidator final : public ComObject<CertValidator, IBackgroundCopyServerCertificateValidationCallback> {
 public:
  CertValidator(Napi::Env env, Napi::Function fn);

  HRESULT STDMETHODCALLTYPE ValidateServerCertificate(IUnknown* job, IUnknown* file, DWORD certLength,
                                                      const BYTE certData[], DWORD certEncodingType,
                                                      DWORD certStoreLength, const BYTE certStoreData[]) override;

  ~CertValidator() override;

 private:
  Napi::ThreadSafeFunction tsfn_;
};
