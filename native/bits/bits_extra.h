// Threads: declarations only.
//
// Interfaces of BITS 3.0 to 10.x that MinGW-w64's headers lack (no bits4_0.h, no
// bits10_*.h). IIDs and method order from Microsoft's docs (shared/BITS-REFERENCE.md).
// MSVC builds use the Windows SDK's own declarations instead, so every stand-in
// here declares exactly the SDK's parameter types: an override written against
// one must compile against the other (test/native/sdk_signatures.h checks it).
#pragma once

#include <bits.h>
#include <bits1_5.h>
#include <bits2_0.h>
#include <bits2_5.h>
#include <bits3_0.h>
#include <bits5_0.h>

#ifdef _MSC_VER
#include <bits4_0.h>
#include <bits10_1.h>
#include <bits10_2.h>
#include <bits10_3.h>
#else

MIDL_INTERFACE("659cdeaa-489e-11d9-a9cd-000d56965251")
IBackgroundCopyFile3 : public IBackgroundCopyFile2 {
 public:
  virtual HRESULT STDMETHODCALLTYPE GetTemporaryName(LPWSTR * pFilename) = 0;
  virtual HRESULT STDMETHODCALLTYPE SetValidationState(BOOL state) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetValidationState(BOOL * pState) = 0;
  virtual HRESULT STDMETHODCALLTYPE IsDownloadedFromPeer(BOOL * pVal) = 0;
};
__CRT_UUID_DECL(IBackgroundCopyFile3, 0x659cdeaa, 0x489e, 0x11d9, 0xa9, 0xcd, 0x00, 0x0d, 0x56, 0x96, 0x52, 0x51)

MIDL_INTERFACE("ef7e0655-7888-4960-b0e5-730846e03492")
IBackgroundCopyFile4 : public IBackgroundCopyFile3 {
 public:
  virtual HRESULT STDMETHODCALLTYPE GetPeerDownloadStats(PUINT64 pFromOrigin, PUINT64 pFromPeers) = 0;
};
__CRT_UUID_DECL(IBackgroundCopyFile4, 0xef7e0655, 0x7888, 0x4960, 0xb0, 0xe5, 0x73, 0x08, 0x46, 0xe0, 0x34, 0x92)

typedef enum { BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS = 1 } BITS_FILE_PROPERTY_ID;
typedef union {
  LPWSTR String;
} BITS_FILE_PROPERTY_VALUE;

MIDL_INTERFACE("85c1657f-dafc-40e8-8834-df18ea25717e")
IBackgroundCopyFile5 : public IBackgroundCopyFile4 {
 public:
  virtual HRESULT STDMETHODCALLTYPE SetProperty(BITS_FILE_PROPERTY_ID PropertyId,
                                                BITS_FILE_PROPERTY_VALUE PropertyValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetProperty(BITS_FILE_PROPERTY_ID PropertyId,
                                                BITS_FILE_PROPERTY_VALUE * PropertyValue) = 0;
};
__CRT_UUID_DECL(IBackgroundCopyFile5, 0x85c1657f, 0xdafc, 0x40e8, 0x88, 0x34, 0xdf, 0x18, 0xea, 0x25, 0x71, 0x7e)

MIDL_INTERFACE("cf6784f7-d677-49fd-9368-cb47aee9d1ad")
IBackgroundCopyFile6 : public IBackgroundCopyFile5 {
 public:
  virtual HRESULT STDMETHODCALLTYPE UpdateDownloadPosition(UINT64 offset) = 0;
  virtual HRESULT STDMETHODCALLTYPE RequestFileRanges(DWORD rangeCount, const BG_FILE_RANGE* ranges) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetFilledFileRanges(DWORD * rangeCount, BG_FILE_RANGE * *ranges) = 0;
};
__CRT_UUID_DECL(IBackgroundCopyFile6, 0xcf6784f7, 0xd677, 0x49fd, 0x93, 0x68, 0xcb, 0x47, 0xae, 0xe9, 0xd1, 0xad)

MIDL_INTERFACE("98c97bd2-e32b-4ad8-a528-95fd8b16bd42")
IBackgroundCopyCallback3 : public IBackgroundCopyCallback2 {
 public:
  virtual HRESULT STDMETHODCALLTYPE FileRangesTransferred(IBackgroundCopyJob * job, IBackgroundCopyFile * file,
                                                          DWORD rangeCount, const BG_FILE_RANGE ranges[]) = 0;
};
__CRT_UUID_DECL(IBackgroundCopyCallback3, 0x98c97bd2, 0xe32b, 0x4ad8, 0xa5, 0x28, 0x95, 0xfd, 0x8b, 0x16, 0xbd, 0x42)

MIDL_INTERFACE("b591a192-a405-4fc3-8323-4c5c542578fc")
IBackgroundCopyJobHttpOptions2 : public IBackgroundCopyJobHttpOptions {
 public:
  virtual HRESULT STDMETHODCALLTYPE SetHttpMethod(LPCWSTR method) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetHttpMethod(LPWSTR * method) = 0;
};
__CRT_UUID_DECL(IBackgroundCopyJobHttpOptions2, 0xb591a192, 0xa405, 0x4fc3, 0x83, 0x23, 0x4c, 0x5c, 0x54, 0x25, 0x78,
                0xfc)

MIDL_INTERFACE("4cec0d02-def7-4158-813a-c32a46945ff7")
IBackgroundCopyServerCertificateValidationCallback : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE ValidateServerCertificate(
      IBackgroundCopyJob * job, IBackgroundCopyFile * file, DWORD certLength, const BYTE certData[],
      DWORD certEncodingType, DWORD certStoreLength, const BYTE certStoreData[]) = 0;
};
__CRT_UUID_DECL(IBackgroundCopyServerCertificateValidationCallback, 0x4cec0d02, 0xdef7, 0x4158, 0x81, 0x3a, 0xc3, 0x2a,
                0x46, 0x94, 0x5f, 0xf7)

MIDL_INTERFACE("8a9263d3-fd4c-4eda-9b28-30132a4d4e3c")
IBackgroundCopyJobHttpOptions3 : public IBackgroundCopyJobHttpOptions2 {
 public:
  virtual HRESULT STDMETHODCALLTYPE SetServerCertificateValidationInterface(IUnknown * certValidationCallback) = 0;
  virtual HRESULT STDMETHODCALLTYPE MakeCustomHeadersWriteOnly() = 0;
};
__CRT_UUID_DECL(IBackgroundCopyJobHttpOptions3, 0x8a9263d3, 0xfd4c, 0x4eda, 0x9b, 0x28, 0x30, 0x13, 0x2a, 0x4d, 0x4e,
                0x3c)

#endif

#ifndef BG_NOTIFY_FILE_RANGES_TRANSFERRED
#define BG_NOTIFY_FILE_RANGES_TRANSFERRED 0x0020
#endif
