// The Windows SDK's own signatures (bits3_0.h, bits4_0.h, bits5_0.h, bits10_1.h,
// bits10_2.h, bits10_3.h; learn.microsoft.com's sdk-api pages) of every method that
// native/bits/bits_extra.h declares by hand for MinGW, spelled verbatim as
// pointer-to-member types. signatures_check.cc compares the stand-ins and our
// overrides with them, so a stand-in that differs from the SDK (and would then
// not compile with MSVC) fails `npm run lint` on Linux.
#pragma once

#include "bits/bits_extra.h"

namespace sdk {

// IBackgroundCopyFile3 (bits3_0.h)
template <class C>
using GetTemporaryName = HRESULT (STDMETHODCALLTYPE C::*)(LPWSTR* pFilename);
template <class C>
using SetValidationState = HRESULT (STDMETHODCALLTYPE C::*)(BOOL state);
template <class C>
using GetValidationState = HRESULT (STDMETHODCALLTYPE C::*)(BOOL* pState);
template <class C>
using IsDownloadedFromPeer = HRESULT (STDMETHODCALLTYPE C::*)(BOOL* pVal);

// IBackgroundCopyFile4 (bits4_0.h)
template <class C>
using GetPeerDownloadStats = HRESULT (STDMETHODCALLTYPE C::*)(PUINT64 pFromOrigin, PUINT64 pFromPeers);

// IBackgroundCopyFile5 (bits5_0.h)
template <class C>
using FileSetProperty = HRESULT (STDMETHODCALLTYPE C::*)(BITS_FILE_PROPERTY_ID PropertyId,
                                                         BITS_FILE_PROPERTY_VALUE PropertyValue);
template <class C>
using FileGetProperty = HRESULT (STDMETHODCALLTYPE C::*)(BITS_FILE_PROPERTY_ID PropertyId,
                                                         BITS_FILE_PROPERTY_VALUE* PropertyValue);

// IBackgroundCopyFile6 (bits10_1.h)
template <class C>
using UpdateDownloadPosition = HRESULT (STDMETHODCALLTYPE C::*)(UINT64 offset);
template <class C>
using RequestFileRanges = HRESULT (STDMETHODCALLTYPE C::*)(DWORD rangeCount, const BG_FILE_RANGE ranges[]);
template <class C>
using GetFilledFileRanges = HRESULT (STDMETHODCALLTYPE C::*)(DWORD* rangeCount, BG_FILE_RANGE** ranges);

// IBackgroundCopyCallback3 (bits10_1.h)
template <class C>
using FileRangesTransferred = HRESULT (STDMETHODCALLTYPE C::*)(IBackgroundCopyJob* job, IBackgroundCopyFile* file,
                                                               DWORD rangeCount, const BG_FILE_RANGE ranges[]);

// IBackgroundCopyJobHttpOptions2 (bits10_2.h)
template <class C>
using SetHttpMethod = HRESULT (STDMETHODCALLTYPE C::*)(LPCWSTR method);
template <class C>
using GetHttpMethod = HRESULT (STDMETHODCALLTYPE C::*)(LPWSTR* method);

// IBackgroundCopyServerCertificateValidationCallback (bits10_3.h)
template <class C>
using ValidateServerCertificate = HRESULT (STDMETHODCALLTYPE C::*)(IBackgroundCopyJob* job, IBackgroundCopyFile* file,
                                                                   DWORD certLength, const BYTE certData[],
                                                                   DWORD certEncodingType, DWORD certStoreLength,
                                                                   const BYTE certStoreData[]);

// IBackgroundCopyJobHttpOptions3 (bits10_3.h)
template <class C>
using SetServerCertificateValidationInterface = HRESULT (STDMETHODCALLTYPE C::*)(IUnknown* certValidationCallback);
template <class C>
using MakeCustomHeadersWriteOnly = HRESULT (STDMETHODCALLTYPE C::*)();

}  // namespace sdk
