import { describe, expect, test } from 'vitest';

import { normalizeGuid } from '../../lib/index.js';

const canonical = '{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}';

describe('normalizeGuid', () => {
  test.each([
    '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    '{6ba7b810-9dad-11d1-80b4-00c04fd430c8}',
    '(6BA7B810-9DAD-11D1-80B4-00C04FD430C8)',
    '6ba7b8109dad11d180b400c04fd430c8',
    canonical,
  ])('%s -> braces and upper case', (input) => {
    expect(normalizeGuid(input)).toBe(canonical);
  });

  test.each(['', '{}', 'not a guid', '6ba7b810-9dad-11d1-80b4-00c04fd430c', '{6ba7b810-9dad-11d1-80b4-00c04fd430c8', '{6ba7b8109dad11d180b400c04fd430c8}', ' 6ba7b810-9dad-11d1-80b4-00c04fd430c8', '6ba7b810-9dad-11d1-80b4-00c04fd430cg'])(
    '%j is refused',
    (input) => {
      expect(normalizeGuid(input)).toBeNull();
    },
  );
});
