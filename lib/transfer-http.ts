// The one-call transfers' plain-HTTP path (fallback: 'when-unavailable'): the
// same files, progress, signal and timeout as the BITS path, handed to
// lib/fallback/'s download and BITS Upload Protocol client. Files go one after
// another, as BITS transfers a job's files; local paths are the platform's own.
// lib/fallback/ is imported when a transfer takes this path, not with the
// package: it brings node:http, node:crypto, fs/promises and streams, which a
// program that only uses BITS would load for nothing at every start.
import path from 'node:path';

import type { BitsAvailability } from './availability-reasons.js';
import { TimeoutError } from './errors.js';
import type { HttpTransferOptions } from './fallback/http-download.js';
import type { FileSpec, JobProgress } from './job/types.js';
import type { CheckedOptions } from './transfer-options.js';

/** What a one-call transfer reports when plain HTTP did it. */
export interface HttpTransferResult {
  /** 'http': fallback sent this transfer over plain HTTP. */
  via: 'http';
  /** No BITS job did it. */
  jobId: null;
  /** Bytes moved. */
  bytesTransferred: number;
  /** Each file, as given. */
  files: FileSpec[];
  /** From the call to the last file in place. */
  durationMs: number;
  /** Why BITS was not used: bitsAvailability()'s verdict, or the reason of BITS's refusal. */
  unavailable: BitsAvailability;
}

function checkHttpFile(f: FileSpec, i: number): void {
  let url: URL;
  try {
    url = new URL(f.remoteUrl);
  } catch {
    throw new RangeError(`files[${i}].remoteUrl must be an http: or https: URL on the HTTP path, got '${f.remoteUrl.slice(0, 80)}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RangeError(`files[${i}].remoteUrl must be an http: or https: URL on the HTTP path, got '${url.protocol}'`);
  }
  if (!path.isAbsolute(f.localPath)) throw new RangeError(`files[${i}].localPath must be an absolute path of this platform (${process.platform}), got '${f.localPath}'`);
}

/** Checks the files for the HTTP path: http(s) URLs, absolute local paths. @internal */
export function checkHttpFiles(files: readonly FileSpec[]): void {
  files.forEach(checkHttpFile);
}

/** Runs the transfer over plain HTTP. @internal */
export async function runHttp(kind: 'download' | 'upload', files: readonly FileSpec[], o: CheckedOptions, unavailable: BitsAvailability): Promise<HttpTransferResult> {
  checkHttpFiles(files);
  const started = Date.now();
  const send = kind === 'download' ? (await import('./fallback/http-download.js')).httpDownload : (await import('./fallback/upload-client.js')).httpUpload;
  const deadline = o.wait.timeoutMs === undefined ? undefined : started + o.wait.timeoutMs;
  let done = 0;
  let doneFiles = 0;
  for (const f of files) {
    const options: HttpTransferOptions = { headers: o.headers };
    if (o.wait.signal) options.signal = o.wait.signal;
    if (deadline !== undefined) {
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(`the transfer did not finish within ${o.wait.timeoutMs} ms`);
      options.timeoutMs = left;
    }
    const onProgress = o.wait.onProgress;
    if (onProgress) {
      const before = done;
      const filesBefore = doneFiles;
      options.onProgress = (p) => {
        const snapshot: JobProgress = {
          // One file: its size; several: unknown until the last, as BITS before it has sized every file.
          bytesTotal: files.length === 1 ? p.bytesTotal : null,
          bytesTransferred: before + p.bytesTransferred,
          filesTotal: files.length,
          filesTransferred: filesBefore,
        };
        onProgress(snapshot);
      };
    }
    const r = await send(f.remoteUrl, f.localPath, options);
    done += r.bytesTransferred;
    doneFiles++;
  }
  o.wait.onProgress?.({ bytesTotal: done, bytesTransferred: done, filesTotal: files.length, filesTransferred: doneFiles });
  return { via: 'http', jobId: null, bytesTransferred: done, files: files.map((f) => ({ remoteUrl: f.remoteUrl, localPath: f.localPath })), durationMs: Date.now() - started, unavailable };
}

/** What startDownload()/startUpload() return when plain HTTP runs the transfer: it has started, `done` settles with its end. */
export class HttpTransfer {
  /** 'http': no BITS job; the transfer lives in this process. */
  readonly via = 'http' as const;
  /** Settles when the files are in place, or with the transfer's error. */
  readonly done: Promise<HttpTransferResult>;
  readonly #controller: AbortController;

  /** @internal */
  constructor(run: (signal: AbortSignal) => Promise<HttpTransferResult>, signal: AbortSignal | undefined) {
    this.#controller = new AbortController();
    const combined = signal ? AbortSignal.any([signal, this.#controller.signal]) : this.#controller.signal;
    this.done = run(combined);
    // Unobserved, a failure must not end the process: it is still reported through `done`.
    this.done.catch(() => undefined);
  }

  /** Aborts the transfer (the partial download stays for a later call to resume). */
  abort(reason?: unknown): void {
    this.#controller.abort(reason);
  }
}
