import { inspect } from 'node:util';

import type { NativeFile } from '../binding.js';
import { ObjectClosedError, native } from './errors.js';
import { requireBoolean, requireRemoteName } from './validate.js';

/** BG_FILE_PROGRESS. */
export interface FileProgress {
  bytesTotal: number | null;
  bytesTransferred: number;
  /** True once the file is whole (for downloads: before complete() moves it into place). */
  completed: boolean;
}

/** A byte range of a file; `length` null runs to the end of the file. */
export interface FileRange {
  offset: number;
  length: number | null;
}

/** A file of a job (IBackgroundCopyFile, and File2/File3 where the system has them). From `job.listFiles()`. */
export class BackgroundCopyFile {
  readonly #native: NativeFile;
  #closed = false;

  /** Not for application code: files come from `job.listFiles()`. */
  constructor(handle: NativeFile) {
    this.#native = handle;
  }

  #call<T>(fn: (f: NativeFile) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new ObjectClosedError('The file'));
    return native(() => fn(this.#native));
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
  /** IBackgroundCopyFile3::GetTemporaryName: where BITS writes until complete(). */
  getTemporaryName(): Promise<string> {
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

  /** Releases the COM reference now. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [inspect.custom](): string {
    return `BackgroundCopyFile {${this.#closed ? ' closed ' : ''}}`;
  }
}
