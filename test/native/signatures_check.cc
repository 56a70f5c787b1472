// Compile-only (npm run lint: x86_64-w64-mingw32-g++-posix -fsyntax-only): every
// hand-written BITS declaration and every override of ours has the Windows SDK's
// exact signature (sdk_signatures.h).
#include <type_traits>

#include "bits/callback.h"
#include "bits/cert_validator.h"
#include "sdk_signatures.h"

#define SAME(I, Method, Sdk) \
  static_assert(std::is_same_v<decltype(&I::Method), sdk::Sdk<I>>, #I "::" #Method " differs from the Windows SDK")

SAME(IBackgroundCopyFile3, GetTemporaryName, GetTemporaryName);
SAME(IBackgroundCopyFile3, SetValidationState, SetValidationState);
SAME(IBackgroundCopyFile3, GetValidationState, GetValidationState);
SAME(IBackgroundCopyFile3, IsDownloadedFromPeer, IsDownloadedFromPeer);
SAME(IBackgroundCopyFile4, GetPeerDownloadStats, GetPeerDownloadStats);
SAME(IBackgroundCopyFile5, SetProperty, FileSetProperty);
SAME(IBackgroundCopyFile5, GetProperty, FileGetProperty);
SAME(IBackgroundCopyFile6, UpdateDownloadPosition, UpdateDownloadPosition);
SAME(IBackgroundCopyFile6, RequestFileRanges, RequestFileRanges);
SAME(IBackgroundCopyFile6, GetFilledFileRanges, GetFilledFileRanges);
SAME(IBackgroundCopyCallback3, FileRangesTransferred, FileRangesTransferred);
SAME(IBackgroundCopyJobHttpOptions2, SetHttpMethod, SetHttpMethod);
SAME(IBackgroundCopyJobHttpOptions2, GetHttpMethod, GetHttpMethod);
SAME(IBackgroundCopyServerCertificateValidationCallback, ValidateServerCertificate, ValidateServerCertificate);
SAME(IBackgroundCopyJobHttpOptions3, SetServerCertificateValidationInterface, SetServerCertificateValidationInterface);
SAME(IBackgroundCopyJobHttpOptions3, MakeCustomHeadersWriteOnly, MakeCustomHeadersWriteOnly);

// Our overrides, declared in our own classes.
SAME(CertValidator, ValidateServerCertificate, ValidateServerCertificate);
SAME(NotifyCallback, FileRangesTransferred, FileRangesTransferred);
