// Threads: the JS thread; the lambdas run on the COM pool threads.
//
// IBackgroundCopyJobHttpOptions, 2 and 3: client certificates and the server
// certificate validator. The one-value getters and setters (custom headers,
// security flags, HTTP method) are entries in job.cc's table.
#include <memory>
#include <vector>

#include "bits/cert_validator.h"
#include "bits/job.h"
#include "bits/returned.h"

Napi::Value Job::SetClientCertificateByID(const Napi::CallbackInfo& info) {
  auto location = Arg<BG_CERT_STORE_LOCATION>::Parse(info[0]);
  auto store = Arg<LPCWSTR>::Parse(info[1]);
  if (!info[2].IsBuffer() || info[2].As<Napi::Buffer<uint8_t>>().Length() != 20) {
    throw Napi::TypeError::New(info.Env(), "expected a 20-byte SHA-1 hash");
  }
  auto b = info[2].As<Napi::Buffer<uint8_t>>();
  std::vector<BYTE> hash(b.Data(), b.Data() + 20);
  return Run<IBackgroundCopyJobHttpOptions>(
      info, [location, store, hash](IBackgroundCopyJobHttpOptions* job, ObjectTable&, Call&) {
        std::vector<BYTE> copy = hash;  // the method takes a non-const pointer
        return job->SetClientCertificateByID(location, store.c_str(), copy.data());
      });
}

Napi::Value Job::SetClientCertificateByName(const Napi::CallbackInfo& info) {
  auto location = Arg<BG_CERT_STORE_LOCATION>::Parse(info[0]);
  auto store = Arg<LPCWSTR>::Parse(info[1]);
  auto subject = Arg<LPCWSTR>::Parse(info[2]);
  return Run<IBackgroundCopyJobHttpOptions>(
      info, [location, store, subject](IBackgroundCopyJobHttpOptions* job, ObjectTable&, Call&) {
        return job->SetClientCertificateByName(location, store.c_str(), subject.c_str());
      });
}

Napi::Value Job::GetClientCertificate(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyJobHttpOptions>(
      info,
      [](IBackgroundCopyJobHttpOptions* job, ObjectTable&, Call& call) {
        BG_CERT_STORE_LOCATION location{};
        LPWSTR store = nullptr, subject = nullptr;
        BYTE* hash = nullptr;
        HRESULT hr = job->GetClientCertificate(&location, &store, &hash, &subject);
        return TakeClientCertificate(hr, location, store, hash, subject, &call.result);
      },
      true);
}

// The validator is held like Subscribe's callback: the task owns one reference
// (released when the task goes, whether it ran, failed or was dropped at
// shutdown), BITS takes its own, and the job's release action unregisters it
// and retires it (ReleaseValidator: on an active job BITS keeps its reference,
// to an object that refuses from then on).
Napi::Value Job::SetServerCertificateValidation(const Napi::CallbackInfo& info) {
  std::shared_ptr<CertValidator> validator;
  if (info[0].IsFunction()) {
    AddonState* state = AddonState::From(info.Env());
    validator.reset(new CertValidator(info.Env(), info[0].As<Napi::Function>(), state->closables()),
                    [](CertValidator* v) { v->Release(); });
  } else if (!info[0].IsNull()) {
    throw Napi::TypeError::New(info.Env(), "expected a function or null");
  }
  uint64_t jobId = id();
  return Run<IBackgroundCopyJobHttpOptions3>(
      info, [validator, jobId](IBackgroundCopyJobHttpOptions3* job, ObjectTable& objects, Call&) {
        HRESULT hr = job->SetServerCertificateValidationInterface(validator.get());
        if (FAILED(hr)) return hr;
        std::function<void()> unregister;
        if (validator) unregister = [job, validator]() { ReleaseValidator(job, validator.get()); };
        objects.SetOnRelease(jobId, ObjectTable::Slot::CertValidator, std::move(unregister));
        return hr;
      });
}
