import { inspect } from 'node:util';

import type { NativeFile } from '../binding.js';
import { NativeHandle } from './handle.js';
import { checkRanges, requireBoolean, requireRemoteName, requireWholeNumber } from './validate.js';

/** BG_FILE_PROGRESS. */
export interface FileProgress {
  /** The size, or null while BITS does not know it. */
  bytesTotal: number | null;
  /** Bytes transferred so far. */
  bytesTransferred: number;
  /** True once the file is whole (for downloads: before complete() moves it into place). */
  completed: boolean;
}

/** Where a file's bytes came from (IBackgroundCopyFile4). */
export interface PeerDownloadStats {
  /** Bytes from the origin server. */
  fromOrigin: number;
  /** Bytes from peers (BranchCache). */
  fromPeers: number;
}

/** A byte range of a file; `length` null runs to the end of the file. */
export interface FileRange {
  /** Where the range starts, in bytes. */
  offset: number;
  /** Its length in bytes; null runs to the end of the file (BG_LENGTH_TO_EOF). */
  length: number | null;
}

/** Wraps a file handle from the addon. @internal */
export function fileFromNative(native: NativeFile): BackgroundCopyFile {
  return NativeHandle.wrap(BackgroundCopyFile, native);
}

/** A file of a job (IBackgroundCopyFile, and File2 to File6 where the system has them). From `job.listFiles()`. */
export class BackgroundCopyFile {
  readonly #handle: NativeHandle<NativeFile>;

  /** Not for application code: files come from `job.listFiles()`. */
  private constructor() {
    this.#handle = NativeHandle.adopt<NativeFile>('files come from job.listFiles()');
  }

  #call<T>(fn: (f: NativeFile) => Promise<T>): Promise<T> {
    return this.#handle.call(fn);
  }

  /** IBackgroundCopyFile::GetRemoteName */
  getRemoteName(): Promise<string> {
    return this.#call((f) => f.getRemoteName());
  }
  /** IBackgroundCopyFile::GetLocalName */
  getLocalName(): Promise<string> {
    return this.#call((f) => f.getLocalName());
  }
  /** IBackgroundCopyFile::GetProgress */
  getProgress(): Promise<FileProgress> {
    return this.#call((f) => f.getProgress());
  }
  /** IBackgroundCopyFile2::SetRemoteName: point the file at another URL (same content). */
  async setRemoteName(url: string): Promise<void> {
    const u = requireRemoteName('url', url);
    return this.#call((f) => f.setRemoteName(u));
  }
  /** IBackgroundCopyFile2::GetFileRanges: the ranges given to addFileWithRanges. */
  getFileRanges(): Promise<FileRange[]> {
    return this.#call((f) => f.getFileRanges());
  }
  /** IBackgroundCopyFile3::GetTemporaryName: where BITS writes until complete(); null before BITS chose one. */
  getTemporaryName(): Promise<string | null> {
    return this.#call((f) => f.getTemporaryName());
  }
  /** IBackgroundCopyFile3::GetValidationState */
  getValidationState(): Promise<boolean> {
    return this.#call((f) => f.getValidationState());
  }
  /** IBackgroundCopyFile3::SetValidationState */
  async setValidationState(valid: boolean): Promise<void> {
    const v = requireBoolean('valid', valid);
    return this.#call((f) => f.setValidationState(v));
  }
  /** IBackgroundCopyFile3::IsDownloadedFromPeer */
  isDownloadedFromPeer(): Promise<boolean> {
    return this.#call((f) => f.isDownloadedFromPeer());
  }

  /** IBackgroundCopyFile4::GetPeerDownloadStats: bytes from the origin server and from peers */
  getPeerDownloadStats(): Promise<PeerDownloadStats> {
    return this.#call((f) => f.getPeerDownloadStats());
  }
  /** IBackgroundCopyFile5 BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS: the headers of the last response */
  getResponseHeaders(): Promise<string | null> {
    return this.#call((f) => f.getResponseHeaders());
  }
  /** IBackgroundCopyFile6::UpdateDownloadPosition: where an on-demand job should read next (BITS 10.1) */
  async updateDownloadPosition(offset: number): Promise<void> {
    const o = requireWholeNumber('offset', offset, Number.MAX_SAFE_INTEGER);
    return this.#call((f) => f.updateDownloadPosition(o));
  }
  /** IBackgroundCopyFile6::RequestFileRanges: more ranges for an on-demand job (BITS 10.1) */
  async requestFileRanges(ranges: readonly FileRange[]): Promise<void> {
    const rs = checkRanges(ranges);
    return this.#call((f) => f.requestFileRanges(rs));
  }
  /** IBackgroundCopyFile6::GetFilledFileRanges: the ranges already downloaded (BITS 10.1) */
  getFilledFileRanges(): Promise<FileRange[]> {
    return this.#call((f) => f.getFilledFileRanges());
  }

  /** Releases the COM reference now. */
  close(): void {
    this.#handle.close();
  }

  /** `using` support: the same as close(). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** What `util.inspect` and console.log show: the id, never a secret. */
  [inspect.custom](): string {
    return `BackgroundCopyFile {${this.#handle.closed ? ' closed ' : ''}}`;
  }
}
