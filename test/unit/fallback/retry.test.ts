// The retry rules of the HTTP path, as pure functions: Retry-After read as RFC
// 9110 10.2.3 defines it (delay-seconds or an HTTP-date), BITS's split of HTTP
// statuses into transient and fatal (Microsoft's "Handling Server Application
// Errors"), and exponential backoff with jitter, bounded.
import { describe, expect, test } from 'vitest';

import { checkRetry, retryDelay } from '../../../lib/fallback/control.js';
import { httpStatusError, retryAfterMs, transientStatus } from '../../../lib/fallback/http-errors.js';

const place = { method: 'HTTP GET', remoteName: 'http://h/x', localName: '/tmp/x' };

describe('retry rules', () => {
  test('Retry-After: seconds, an HTTP-date, or nothing', () => {
    const now = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Sun, 06 Nov 1994 08:49:47 GMT', now)).toBe(10_000);
    // A date in the past means now.
    expect(retryAfterMs('Sun, 06 Nov 1994 08:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  test("BITS's transient statuses: 408, 409, 5xx but 501 and 505 (and 429, which carries Retry-After)", () => {
    for (const s of [408, 409, 429, 500, 502, 503, 504]) expect(transientStatus(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 410, 416, 501, 505]) expect(transientStatus(s)).toBe(false);
  });

  test('backoff doubles from baseDelayMs, half of it random, capped at maxDelayMs; Retry-After wins but is capped too', () => {
    const retry = checkRetry({ baseDelayMs: 100, maxDelayMs: 1000 });
    const e = httpStatusError(503, place);
    expect([0, 1, 2, 3, 4].map((n) => retryDelay(e, n, retry, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([0, 1, 2, 3, 4].map((n) => retryDelay(e, n, retry, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(retryDelay(httpStatusError(503, place, '0'), 3, retry, () => 1)).toBe(0);
    expect(retryDelay(httpStatusError(503, place, '3600'), 0, retry, () => 1)).toBe(1000);
  });

  test('HTTP errors are named as BITS names them: 0x80190000 + status', () => {
    const e = httpStatusError(416, place);
    expect(e).toMatchObject({ name: 'BitsError', hresult: 0x801901a0, code: 'BG_E_HTTP_ERROR_416', method: 'HTTP GET', protocol: 'http', transient: false });
    expect(e.message).toContain('Range Not Satisfiable');
  });

  test('retry options are checked', () => {
    expect(() => checkRetry({ attempts: -1 })).toThrow(RangeError);
    expect(() => checkRetry({ baseDelayMs: Number.NaN })).toThrow(TypeError);
    expect(checkRetry(undefined)).toEqual({ attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 });
  });
});
