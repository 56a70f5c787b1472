// Job methods whose arguments or results are more than one value: proxy
// settings, notify command line, credentials, reply data, Job5 properties and
// client certificates.
#include <vector>

#include "bits/cert_validator.h"
#include "bits/job.h"

namespace {

// A string that wipes its memory when it goes: passwords live only as long as the
// COM call that needs them, in as few copies as the lambda captures make.
struct Secret {
  std::wstring value;
  explicit Secret(std::wstring v) : value(std::move(v)) {}
  Secret(const Secret&) = delete;
  ~Secret() { SecureZeroMemory(value.data(), value.size() * sizeof(wchar_t)); }
};

// null/undefined -> no string (BITS's NULL); a string -> its text.
struct OptionalString {
  bool present = false;
  std::wstring value;
  static OptionalString Parse(const Napi::Value& v) {
    OptionalString r;
    if (v.IsNull() || v.IsUndefined()) return r;
    r.present = true;
    r.value = Arg<LPCWSTR>::Parse(v);
    return r;
  }
  LPCWSTR get() const { return present ? value.c_str() : nullptr; }
};

NValue OptionalText(LPWSTR s) { return s ? ToNValue(s) : NValue::Null(); }

}  // namespace

Napi::Value Job::GetProxySettings(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyJob>(info, [](IBackgroundCopyJob* job, ObjectTable&, Call& call) {
    BG_JOB_PROXY_USAGE usage;
    LPWSTR list = nullptr, bypass = nullptr;
    HRESULT hr = job->GetProxySettings(&usage, &list, &bypass);
    if (SUCCEEDED(hr)) {
      call.result = NValue::Object()
                        .Set("usage", ToNValue(usage))
                        .Set("proxyList", OptionalText(list))
                        .Set("bypassList", OptionalText(bypass));
    }
    return hr;
  });
}

Napi::Value Job::SetProxySettings(const Napi::CallbackInfo& info) {
  auto usage = Arg<BG_JOB_PROXY_USAGE>::Parse(info[0]);
  auto list = OptionalString::Parse(info[1]);
  auto bypass = OptionalString::Parse(info[2]);
  return Run<IBackgroundCopyJob>(info, [usage, list, bypass](IBackgroundCopyJob* job, ObjectTable&, Call&) {
    return job->SetProxySettings(usage, list.get(), bypass.get());
  });
}

Napi::Value Job::GetNotifyCmdLine(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyJob2>(info, [](IBackgroundCopyJob2* job, ObjectTable&, Call& call) {
    LPWSTR program = nullptr, parameters = nullptr;
    HRESULT hr = job->GetNotifyCmdLine(&program, &parameters);
    if (SUCCEEDED(hr)) {
      call.result = NValue::Object().Set("program", OptionalText(program)).Set("parameters", OptionalText(parameters));
    }
    return hr;
  });
}

Napi::Value Job::SetNotifyCmdLine(const Napi::CallbackInfo& info) {
  auto program = OptionalString::Parse(info[0]);
  auto parameters = OptionalString::Parse(info[1]);
  return Run<IBackgroundCopyJob2>(info, [program, parameters](IBackgroundCopyJob2* job, ObjectTable&, Call&) {
    return job->SetNotifyCmdLine(program.get(), parameters.get());
  });
}

Napi::Value Job::GetReplyData(const Napi::CallbackInfo& info) {
  return Run<IBackgroundCopyJob2>(info, [](IBackgroundCopyJob2* job, ObjectTable&, Call& call) {
    byte* data = nullptr;
    UINT64 length = 0;
    HRESULT hr = job->GetReplyData(&data, &length);
    if (SUCCEEDED(hr)) call.result = NValue::Buffer(std::vector<uint8_t>(data, data + length));
    if (data) CoTaskMemFree(data);
    return hr;
  });
}

Napi::Value Job::SetCredentials(const Napi::CallbackInfo& info) {
  auto target = Arg<BG_AUTH_TARGET>::Parse(info[0]);
  auto scheme = Arg<BG_AUTH_SCHEME>::Parse(info[1]);
  auto user = std::make_shared<Secret>(OptionalString::Parse(info[2]).value);
  bool hasUser = !info[2].IsNull() && !info[2].IsUndefined();
  bool hasPassword = !info[3].IsNull() && !info[3].IsUndefined();
  auto password = std::make_shared<Secret>(hasPassword ? Arg<LPCWSTR>::Parse(info[3]) : std::wstring());
  return Run<IBackgroundCopyJob2>(
      info, [target, scheme, user, hasUser, password, hasPassword](IBackgroundCopyJob2* job, ObjectTable&, Call&) {
        BG_AUTH_CREDENTIALS c{};
        c.Target = target;
        c.Scheme = scheme;
        c.Credentials.Basic.UserName = hasUser ? user->value.data() : nullptr;
        c.Credentials.Basic.Password = hasPassword ? password->value.data() : nullptr;
        return job->SetCredentials(&c);
      });
}

Napi::Value Job::RemoveCredentials(const Napi::CallbackInfo& info) {
  auto target = Arg<BG_AUTH_TARGET>::Parse(info[0]);
  auto scheme = Arg<BG_AUTH_SCHEME>::Parse(info[1]);
  return Run<IBackgroundCopyJob2>(info, [target, scheme](IBackgroundCopyJob2* job, ObjectTable&, Call&) {
    return job->RemoveCredentials(target, scheme);
  });
}

namespace {

enum class PropertyKind { Dword, Guid, Bool, Uint64, Target, Unknown };

PropertyKind KindOf(BITS_JOB_PROPERTY_ID id) {
  switch (static_cast<int>(id)) {
    case 1:  // COST_FLAGS
    case 9:  // MINIMUM_NOTIFICATION_INTERVAL_MS
      return PropertyKind::Dword;
    case 2:  // NOTIFICATION_CLSID
      return PropertyKind::Guid;
    case 3:   // DYNAMIC_CONTENT
    case 4:   // HIGH_PERFORMANCE
    case 10:  // ON_DEMAND_MODE
      return PropertyKind::Bool;
    case 5:  // MAX_DOWNLOAD_SIZE
      return PropertyKind::Uint64;
    case 7:  // USE_STORED_CREDENTIALS
      return PropertyKind::Target;
    default:
      return PropertyKind::Unknown;
  }
}

}  // namespace

Napi::Value Job::GetProperty(const Napi::CallbackInfo& info) {
  auto id = Arg<BITS_JOB_PROPERTY_ID>::Parse(info[0]);
  if (KindOf(id) == PropertyKind::Unknown) throw Napi::RangeError::New(info.Env(), "unknown BITS_JOB_PROPERTY_ID");
  return Run<IBackgroundCopyJob5>(info, [id](IBackgroundCopyJob5* job, ObjectTable&, Call& call) {
    BITS_JOB_PROPERTY_VALUE v{};
    HRESULT hr = job->GetProperty(id, &v);
    if (FAILED(hr)) return hr;
    switch (KindOf(id)) {
      case PropertyKind::Dword:
        call.result = NValue::Number(v.Dword);
        break;
      case PropertyKind::Guid:
        call.result = ToNValue(v.ClsID);
        break;
      case PropertyKind::Bool:
        call.result = NValue::Bool(v.Enable != FALSE);
        break;
      case PropertyKind::Uint64:
        call.result = NValue::Number(static_cast<double>(v.Uint64));
        break;
      default:
        call.result = NValue::Number(static_cast<double>(v.Target));
    }
    return hr;
  });
}

Napi::Value Job::SetProperty(const Napi::CallbackInfo& info) {
  auto id = Arg<BITS_JOB_PROPERTY_ID>::Parse(info[0]);
  BITS_JOB_PROPERTY_VALUE v{};
  switch (KindOf(id)) {
    case PropertyKind::Dword:
      v.Dword = Arg<DWORD>::Parse(info[1]);
      break;
    case PropertyKind::Guid:
      if (!info[1].IsString() || !GuidFromString(ToWide(info[1]), &v.ClsID)) {
        throw Napi::TypeError::New(info.Env(), "expected a braced GUID");
      }
      break;
    case PropertyKind::Bool:
      v.Enable = Arg<BOOL>::Parse(info[1]);
      break;
    case PropertyKind::Uint64:
      if (!info[1].IsNumber()) throw Napi::TypeError::New(info.Env(), "expected a number");
      v.Uint64 = static_cast<UINT64>(info[1].As<Napi::Number>().DoubleValue());
      break;
    case PropertyKind::Target:
      v.Target = Arg<BG_AUTH_TARGET>::Parse(info[1]);
      break;
    default:
      throw Napi::RangeError::New(info.Env(), "unknown BITS_JOB_PROPERTY_ID");
  }
  return Run<IBackgroundCopyJob5>(
      info, [id, v](IBackgroundCopyJob5* job, ObjectTable&, Call&) { return job->SetProperty(id, v); });
}

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
  return Run<IBackgroundCopyJobHttpOptions>(info, [](IBackgroundCopyJobHttpOptions* job, ObjectTable&, Call& call) {
    BG_CERT_STORE_LOCATION location;
    LPWSTR store = nullptr, subject = nullptr;
    BYTE* hash = nullptr;
    HRESULT hr = job->GetClientCertificate(&location, &store, &hash, &subject);
    if (FAILED(hr)) return hr;
    call.result = NValue::Object()
                      .Set("storeLocation", ToNValue(location))
                      .Set("storeName", OptionalText(store))
                      .Set("hash", hash ? NValue::Buffer(std::vector<uint8_t>(hash, hash + 20)) : NValue::Null())
                      .Set("subjectName", OptionalText(subject));
    if (hash) CoTaskMemFree(hash);
    return hr;
  });
}

Napi::Value Job::SetServerCertificateValidation(const Napi::CallbackInfo& info) {
  CertValidator* validator = nullptr;
  if (info[0].IsFunction()) {
    validator = new CertValidator(info.Env(), info[0].As<Napi::Function>());
  } else if (!info[0].IsNull()) {
    throw Napi::TypeError::New(info.Env(), "expected a function or null");
  }
  return Run<IBackgroundCopyJobHttpOptions3>(
      info, [validator](IBackgroundCopyJobHttpOptions3* job, ObjectTable&, Call&) {
        ComPtr<CertValidator> keep = ComPtr<CertValidator>::Attach(validator);  // BITS takes its own reference
        return job->SetServerCertificateValidationInterface(validator);
      });
}
