// Threads: any (the COM pool threads in the product; the JS thread in the test
// addon's debugConvert). No Node-API.
//
// The converters of values that BITS returns in memory of its own: each takes
// over what the call handed back (CoTaskMem strings, arrays, blobs) and frees it
// exactly once, or reads a struct that owns nothing. The methods in job5.cc,
// job2_3.cc, http_options.cc and file.cc call these right after the COM call;
// native/test/converters.cc drives the same functions with memory laid out as
// Windows lays it out.
#pragma once

#include <windows.h>

#include "bits/bits_extra.h"
#include "runtime/value.h"

// Which member of BITS_JOB_PROPERTY_VALUE a property id uses.
enum class PropertyKind { Dword, Guid, Bool, Uint64, Target, Unknown };
PropertyKind KindOf(BITS_JOB_PROPERTY_ID id);

// IBackgroundCopyJob5::GetProperty's union, read by the member its id uses.
NValue JobPropertyToNValue(BITS_JOB_PROPERTY_ID id, const BITS_JOB_PROPERTY_VALUE& v);

// IBackgroundCopyFile5::GetProperty(HTTP_RESPONSE_HEADERS): the text, or null.
// Frees v.String.
NValue TakeResponseHeaders(BITS_FILE_PROPERTY_VALUE v);

// IBackgroundCopyJob2::GetReplyData: a Buffer of length bytes (none when data is
// NULL). Frees data.
NValue TakeReplyData(byte* data, UINT64 length);

// IBackgroundCopyFile4::GetPeerDownloadStats: { fromOrigin, fromPeers }.
NValue PeerStatsToNValue(UINT64 fromOrigin, UINT64 fromPeers);

// IBackgroundCopyJob2::GetNotifyCmdLine: { program, parameters }, each null for
// NULL or L"". Frees both.
NValue TakeNotifyCmdLine(LPWSTR program, LPWSTR parameters);

// IBackgroundCopyJobHttpOptions::GetClientCertificate's out-values, whatever hr
// says: frees store, hash and subject. Returns the HRESULT for the caller (S_OK
// with null for RPC_X_BAD_STUB_DATA, Microsoft's "no certificate"), and sets
// *out on success.
HRESULT TakeClientCertificate(HRESULT hr, BG_CERT_STORE_LOCATION location, LPWSTR store, BYTE* hash, LPWSTR subject,
                              NValue* out);
