// Quotas: open sessions per principal, bytes per principal, and bytes for the
// whole directory. Bytes are counted by the total a session declares in its
// first Fragment, reserved before any byte of it is written: the total cannot
// change afterwards and no fragment may reach past it, so what a session holds
// on disk never exceeds what it reserved, whatever sizes the client declares.
// The count is read from the sessions themselves (the store's states), plus the
// first fragments still in flight, so a session that is finished, closed,
// cancelled or expired gives its bytes back without any bookkeeping that could
// drift, and sessions a previous run left count from the first request on.
//
// Which answer: "Handling Server Application Errors" says BITS treats 5xx (but
// 501 and 505) as transient and 4xx (but 408 and 409) as fatal. A quota that
// other sessions' ends will free again is a 503 with Retry-After, so the client
// retries; a file that is larger than a byte quota on its own could never fit,
// so it is BG_E_TOO_LARGE with 400, final, as for maxFileSize ([MC-BUP] 3.1.5.2.1).
import { CONTEXT, HRESULT, PacketError } from './packet.js';
import type { SessionState } from './store.js';

/** Which quota refused. */
export type QuotaName = 'sessions-per-principal' | 'bytes-per-principal' | 'total-bytes';

/** The quota options, resolved: Infinity where there is no limit. */
export interface QuotaLimits {
  maxSessionsPerPrincipal: number;
  maxBytesPerPrincipal: number;
  maxTotalBytes: number;
}

/** A refusal, for onEvent. */
export interface QuotaRefusal {
  quota: QuotaName;
  principal: string;
  limit: number;
  /** For byte quotas: the total the session declared. */
  requested?: number;
  /** For byte quotas: the session. */
  sessionId?: string;
  status: number;
  code: number;
}

/**
 * Seconds a client is asked to wait after a transient quota refusal: BITS's own
 * default retry delay (SetMinimumRetryDelay: 600 seconds), which it waits after a
 * transient error anyway.
 */
export const QUOTA_RETRY_AFTER_S = 600;

/** A positive integer option or Infinity; undefined: Infinity (no limit). */
export function quotaLimit(value: unknown, key: string): number {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number') throw new TypeError(`upload server: ${key} must be a number`);
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`upload server: ${key} must be a positive integer or Infinity, got ${value}`);
  return value;
}

/** Thrown to refuse; carries what onEvent is told. */
export class QuotaError extends PacketError {
  constructor(
    readonly refusal: QuotaRefusal,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(refusal.status, refusal.code, message, CONTEXT.server, refusal.status === 503 ? { 'Retry-After': String(QUOTA_RETRY_AFTER_S), ...headers } : headers);
  }
}

/** What a session holds against the byte quotas: its declared total until it is finished. */
const held = (s: SessionState): number => (s.finished || s.total === null ? 0 : s.total);

/** Counts sessions and bytes against the limits. `sessions` lists the open sessions, expired ones left out. */
export class Quotas {
  /** First fragments being received: their totals are not in their states yet. */
  readonly #inFlight = new Map<string, { principal: string; total: number }>();

  constructor(
    readonly limits: QuotaLimits,
    readonly sessions: () => SessionState[],
  ) {}

  get enabled(): boolean {
    return Object.values(this.limits).some((v) => v !== Number.POSITIVE_INFINITY);
  }

  /**
   * Before a Create-Session takes its slot. Synchronous, and the caller creates the session
   * in the same turn of the event loop, so two Create-Sessions cannot both take the last slot.
   */
  admitSession(principal: string): void {
    const limit = this.limits.maxSessionsPerPrincipal;
    if (limit === Number.POSITIVE_INFINITY) return;
    const open = this.sessions().filter((s) => s.principal === principal).length;
    if (open < limit) return;
    throw new QuotaError({ quota: 'sessions-per-principal', principal, limit, status: 503, code: HRESULT.NOT_ENOUGH_QUOTA }, `${open} sessions open, maxSessionsPerPrincipal is ${limit}`);
  }

  /**
   * Reserves a session's declared total before its first fragment is written; returns the
   * release to call once the fragment is done (its state then holds the total, or it failed).
   * Synchronous check and reservation, so first fragments received at once cannot share bytes.
   */
  reserve(s: SessionState, total: number, received: Record<string, string>): () => void {
    if (s.total !== null || !this.enabled) return () => undefined;
    let mine = 0;
    let all = 0;
    for (const other of this.sessions()) {
      if (other.id === s.id) continue;
      const bytes = held(other);
      all += bytes;
      if (other.principal === s.principal) mine += bytes;
    }
    for (const [id, r] of this.#inFlight) {
      if (id === s.id) continue;
      all += r.total;
      if (r.principal === s.principal) mine += r.total;
    }
    this.#check('bytes-per-principal', this.limits.maxBytesPerPrincipal, mine, s, total, received);
    this.#check('total-bytes', this.limits.maxTotalBytes, all, s, total, received);
    this.#inFlight.set(s.id, { principal: s.principal, total });
    return () => {
      if (this.#inFlight.get(s.id)?.total === total) this.#inFlight.delete(s.id);
    };
  }

  #check(quota: QuotaName, limit: number, used: number, s: SessionState, total: number, received: Record<string, string>): void {
    if (used + total <= limit) return;
    const base = { quota, principal: s.principal, sessionId: `{${s.id}}`, limit, requested: total };
    // Larger than the quota on its own: no other session's end can make room; final.
    if (total > limit) throw new QuotaError({ ...base, status: 400, code: HRESULT.BG_E_TOO_LARGE }, `file of ${total} bytes over ${quotaOption(quota)} (${limit})`, received);
    throw new QuotaError({ ...base, status: 503, code: HRESULT.DISK_QUOTA_EXCEEDED }, `${used} of ${limit} bytes reserved, ${total} more would pass ${quotaOption(quota)}`, received);
  }
}

function quotaOption(quota: QuotaName): string {
  return quota === 'total-bytes' ? 'maxTotalBytes' : quota === 'bytes-per-principal' ? 'maxBytesPerPrincipal' : 'maxSessionsPerPrincipal';
}
