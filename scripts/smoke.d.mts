// Types of smoke.mjs's decision, for its unit test.
export const NOT_LOGGED_ON: number;
export const NOT_LOGGED_ON_LINE: string;

export interface SmokeRun {
  /** The CLI's exit code; null when the deadline killed it. */
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The file arrived with exactly the bytes that were served. */
  intact: boolean;
  /** After a deadline: the run's job as `bits list`/`bits info` saw it; null when none was found. */
  job: { id: string; state: string; error: { code: string; hresult: number } | null } | null;
  deadlineS: number;
  bytes: number;
}

export function verdict(run: SmokeRun): { ok: boolean; line: string };
