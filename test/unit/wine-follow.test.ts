// scripts/wine.mjs's followFile: how Windows Node's output under Wine (written to a
// file, since a pipe fails with EBADF there) reaches `npm test`'s terminal and
// `node scripts/wine.mjs node ...`'s. Before it read one chunk at a time, an
// interval's read could still be streaming when the run ended; the last read then
// found nothing new and returned, the caller exited, and the tail was lost
// (a race.mjs run printed its progress but not its closing line, exit 0).
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { afterAll, expect, test } from 'vitest';

import { followFile } from '../../scripts/wine.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'wine-follow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An output that records what reached it. */
function sink(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString('latin1') };
}

test('stop() resolves only once a read still in flight has delivered, so the last line is never lost', async () => {
  const file = path.join(dir, 'in-flight.log');
  writeFileSync(file, '');
  const { out, text } = sink();
  const follow = followFile(file, out, 60_000);
  // 4 MiB of progress lines, then the run's closing line, the way vitest ends.
  const body = 'progress line\n'.repeat(300_000) + 'integration: 192 passed, 0 failed\n';
  writeFileSync(file, body);
  void follow.pump(); // an interval's read, not awaited: it streams while the run ends
  await follow.stop(); // the run ended with nothing new: the caller exits right after this
  // The expected value is what the run wrote to its file, all of it: the file is the counterparty.
  expect(text().length).toBe(body.length);
  expect(text().endsWith('integration: 192 passed, 0 failed\n')).toBe(true);
});

test('appends arrive whole and in order, read by the interval and by stop()', async () => {
  const file = path.join(dir, 'appends.log');
  writeFileSync(file, '');
  const { out, text } = sink();
  const follow = followFile(file, out, 1);
  const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i * 37)}\n`);
  for (const [i, line] of lines.entries()) {
    appendFileSync(file, line);
    if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await follow.stop();
  // What was appended, in the order it was appended: a stream delivers its writes in order (Node's stream docs).
  expect(text()).toBe(lines.join(''));
});
