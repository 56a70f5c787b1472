// Interfaces of BITS 3.0 to 10.x that MinGW-w64's headers lack (no bits4_0.h, no
// bits10_*.h). IIDs and method order from Microsoft's docs (shared/BITS-REFERENCE.md).
// MSVC builds use the Windows SDK's own declarations instead.
#pragma once

#include <bits.h>
#include <bits1_5.h>
#include <bits2_0.h>
#include <bits2_5.h>
#include <bits3_0.h>
#include <bits5_0.h>

#ifdef _MSC_VER
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

MIDL_INTERFACE("b591a192-a405-4fc3-8323-4c5c542578fc")
IBackgroundCopyJobHttpOptions2 : public IBackgroundCopyJobHttpOptions {
 public:
  virtual HRESULT STDMETHODCALLTYPE SetHttpMethod(LPCWSTR method) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetHttpMethod(LPWSTR * method) = 0;
};
__CRT_UUID_DECL(IBackgroundCopyJobHttpOptions2, 0xb591a192, 0xa405, 0x4fc3, 0x83, 0x23, 0x4c, 0x5c, 0x54, 0x25, 0x78,
                0xfc)

MIDL_INTERFACE("8a9263d3-fd4c-4eda-9b28-30132a4d4e3c")
IBackgroundCopyJobHttpOptions3 : public IBackgroundCopyJobHttpOptions2 {
 public:
  virtual HRESULT STDMETHODCALLTYPE SetServerCertificateValidationInterface(IUnknown * certValidationCallback) = 0;
  virtual HRESULT STDMETHODCALLTYPE MakeCustomHeadersWriteOnly() = 0;
};
__CRT_UUID_DECL(IBackgroundCopyJobHttpOptions3, 0x8a9263d3, 0xfd4c, 0x4eda, 0x9b, 0x28, 0x30, 0x13, 0x2a, 0x4d, 0x4e,
                0x3c)

#endif
