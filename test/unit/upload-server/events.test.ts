// onEvent's events as a backend author uses them: a union discriminated by
// `type`, so that checking `type` narrows to that event's fields (checked by
// tsc over this file, and at run time over a real upload's events).
import { describe, expect, expectTypeOf, test } from 'vitest';

import type { UploadEvent, UploadEventOf } from '../../../lib/upload-server/index.js';
import { startUploads } from '../../support/upload-fixture.js';

describe('UploadEvent', () => {
  test("narrowing by type gives each event's own fields, required", async () => {
    const u = await startUploads({ onUpload: () => undefined });
    try {
      await u.client.upload('/n.bin', Buffer.from('abcdef'), 4);
      const summary: string[] = [];
      for (const e of u.events) {
        switch (e.type) {
          case 'session-created':
            expectTypeOf(e.name).toEqualTypeOf<string>();
            summary.push(`created ${e.name} for '${e.principal}'`);
            break;
          case 'fragment':
            expectTypeOf(e.received).toEqualTypeOf<number>();
            summary.push(`fragment ${e.received}/${e.total}`);
            break;
          case 'upload-finished':
            expectTypeOf(e.size).toEqualTypeOf<number>();
            summary.push(`finished ${e.size}`);
            break;
          case 'session-closed':
            expectTypeOf(e.finished).toEqualTypeOf<boolean>();
            summary.push(`closed ${e.finished}`);
            break;
          default:
            summary.push(e.type);
        }
      }
      expect(summary).toEqual(["created n.bin for ''", 'fragment 4/6', 'fragment 6/6', 'finished 6', 'closed true']);
      expectTypeOf<UploadEventOf<'refused'>>().toEqualTypeOf<Extract<UploadEvent, { type: 'refused' }>>();
      expectTypeOf<UploadEventOf<'refused'>['status']>().toEqualTypeOf<number>();
    } finally {
      await u.close();
    }
  });
});
