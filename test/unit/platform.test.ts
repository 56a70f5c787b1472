// Off Windows the package imports (types, errors, constants) and every BITS call
// says clearly why it cannot run; on Windows the same call connects.
import { describe, expect, test } from 'vitest';

import { BackgroundCopyManager, JOB_STATES, UnsupportedPlatformError } from '../../lib/index.js';

describe('platform', () => {
  test('importing works everywhere', () => {
    expect(JOB_STATES).toContain('transferred');
  });

  test('connect() names the platform off Windows, and connects on Windows', async () => {
    if (process.platform === 'win32') {
      const m = await BackgroundCopyManager.connect();
      expect(m).toBeInstanceOf(BackgroundCopyManager);
      m.close();
    } else {
      const e = await BackgroundCopyManager.connect().catch((err: unknown) => err);
      expect(e).toBeInstanceOf(UnsupportedPlatformError);
      expect((e as UnsupportedPlatformError).message).toContain(process.platform);
      expect((e as UnsupportedPlatformError).code).toBe('ERR_BITS_UNSUPPORTED_PLATFORM');
    }
  });
});
