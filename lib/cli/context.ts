// What every command shares: --json or human output, one manager, and the
// mapping from failures to the documented exit codes.
import { BackgroundCopyManager } from '../manager.js';
import { AbortError, BitsError, ObjectClosedError, TimeoutError, UnsupportedPlatformError } from '../errors.js';
import { paint } from './format.js';

/** Exit codes, as documented in the README. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unsupported: 3 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export class Context {
  readonly json: boolean;
  #manager: BackgroundCopyManager | undefined;

  constructor(json: boolean) {
    this.json = json;
  }

  async manager(): Promise<BackgroundCopyManager> {
    this.#manager ??= await BackgroundCopyManager.connect();
    return this.#manager;
  }

  /** Prints the one JSON document, or the human text. */
  print(human: string, document: unknown): void {
    process.stdout.write(this.json ? `${JSON.stringify(document, null, 2)}\n` : `${human}\n`);
  }

  close(): void {
    this.#manager?.close();
  }
}

export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError || e instanceof TypeError || e instanceof RangeError) return EXIT.usage;
  if (e instanceof UnsupportedPlatformError) return EXIT.unsupported;
  if (e instanceof BitsError && (e.code === 'E_NOINTERFACE' || e.code === 'E_NOTIMPL')) return EXIT.unsupported;
  return EXIT.failed;
}

/** The error as one JSON document or a readable block; never anything secret (errors carry none). */
export function reportError(e: unknown, json: boolean): void {
  const err = e instanceof Error ? e : new Error(String(e));
  if (json) {
    const doc: Record<string, unknown> = { name: err.name, message: err.message };
    if (err instanceof BitsError) Object.assign(doc, { code: err.code, hresult: err.hresult, method: err.method, context: err.context ?? null, jobId: err.jobId ?? null });
    else if (err instanceof AbortError || err instanceof TimeoutError) Object.assign(doc, { code: err.code, jobId: err.jobId ?? null });
    else if (err instanceof UnsupportedPlatformError || err instanceof ObjectClosedError) doc.code = err.code;
    process.stdout.write(`${JSON.stringify({ error: doc }, null, 2)}\n`);
    return;
  }
  const s = process.stderr;
  const lines = [`${paint(s, 'red', 'error:')} ${err instanceof BitsError ? err.description : err.message}`];
  if (err instanceof BitsError) {
    lines.push(`  code: ${err.code} (0x${err.hresult.toString(16).toUpperCase().padStart(8, '0')}) in ${err.method}`);
    if (err.context) lines.push(`  context: ${err.context}${err.contextDescription ? ` (${err.contextDescription})` : ''}`);
    if (err.file?.remoteName) lines.push(`  file: ${err.file.remoteName} -> ${err.file.localName ?? '?'}`);
    if (err.jobId) lines.push(`  job: ${err.jobId}`);
  }
  if ((err instanceof AbortError || err instanceof TimeoutError) && err.jobId) lines.push(`  job: ${err.jobId}`);
  s.write(`${lines.join('\n')}\n`);
}
