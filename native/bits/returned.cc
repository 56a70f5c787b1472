// Threads: see returned.h (any thread, no Node-API).
//
// The converters of what BITS hands back in memory of its own: job and file
// property unions, reply data, peer statistics, the notify command line and the
// client certificate. Each frees what it takes over exactly once, also when a
// copy throws std::bad_alloc (every block is owned by a CoTaskFree first).
#include "bits/returned.h"

#include <vector>

#include "runtime/scalars.h"

PropertyKind KindOf(BITS_JOB_PROPERTY_ID id) {
  switch (id) {
    case BITS_JOB_PROPERTY_ID_COST_FLAGS:
    case BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS:
      return PropertyKind::Dword;
    case BITS_JOB_PROPERTY_NOTIFICATION_CLSID:
      return PropertyKind::Guid;
    case BITS_JOB_PROPERTY_DYNAMIC_CONTENT:
    case BITS_JOB_PROPERTY_HIGH_PERFORMANCE:
    case BITS_JOB_PROPERTY_ON_DEMAND_MODE:
      return PropertyKind::Bool;
    case BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:
      return PropertyKind::Uint64;
    case BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS:
      return PropertyKind::Target;
    default:
      return PropertyKind::Unknown;
  }
}

NValue JobPropertyToNValue(BITS_JOB_PROPERTY_ID id, const BITS_JOB_PROPERTY_VALUE& v) {
  switch (KindOf(id)) {
    case PropertyKind::Dword:
      return NValue::Number(v.Dword);
    case PropertyKind::Guid:
      return ToNValue(v.ClsID);
    case PropertyKind::Bool:
      return BoolToNValue(v.Enable);
    case PropertyKind::Uint64:
      return NValue::Number(static_cast<double>(v.Uint64));
    default:
      return NValue::Number(static_cast<double>(v.Target));
  }
}

NValue TakeResponseHeaders(BITS_FILE_PROPERTY_VALUE v) { return TextOrNull(v.String); }

NValue TakeReplyData(byte* data, UINT64 length) {
  CoTaskFree owned(data);
  return NValue::Buffer(std::vector<uint8_t>(data, data + (data ? length : 0)));
}

NValue PeerStatsToNValue(UINT64 fromOrigin, UINT64 fromPeers) {
  return NValue::Object()
      .Set("fromOrigin", NValue::Number(static_cast<double>(fromOrigin)))
      .Set("fromPeers", NValue::Number(static_cast<double>(fromPeers)));
}

NValue TakeNotifyCmdLine(LPWSTR program, LPWSTR parameters) {
  CoTaskFree ownedProgram(program), ownedParameters(parameters);
  return NValue::Object()
      .Set("program", NonEmptyTextOrNullView(program))
      .Set("parameters", NonEmptyTextOrNullView(parameters));
}

HRESULT TakeClientCertificate(HRESULT hr, BG_CERT_STORE_LOCATION location, LPWSTR store, BYTE* hash, LPWSTR subject,
                              NValue* out) {
  CoTaskFree ownedHash(hash), ownedStore(store), ownedSubject(subject);
  // Microsoft documents RPC_X_BAD_STUB_DATA for a job without a certificate.
  if (hr == HRESULT_FROM_WIN32(RPC_X_BAD_STUB_DATA) || hr == RPC_X_BAD_STUB_DATA) {
    *out = NValue::Null();
    return S_OK;
  }
  if (FAILED(hr)) return hr;
  *out = NValue::Object()
             .Set("storeLocation", ToNValue(location))
             .Set("storeName", TextOrNullView(store))
             .Set("hash", hash ? NValue::Buffer(std::vector<uint8_t>(hash, hash + 20)) : NValue::Null())
             .Set("subjectName", TextOrNullView(subject));
  return hr;
}
