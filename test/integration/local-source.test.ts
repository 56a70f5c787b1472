// Absolute local paths as remote names: BITS copies the file as it copies a
// share's file, with no server. Every form the package accepts is
// transferred for real here and the bytes are compared. Local copies end at once,
// so no job is ever cancelled while it transfers (that kills Wine's BITS service).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, test } from 'vitest';

import { download } from '../../lib/index.js';
import { fileFixture, manager, randomContent, waitForState, wine } from './helpers.js';

const { folder, created: jobs, createJob } = fileFixture();
const source = path.join(folder.dir, 'src.bin');
const content = randomContent(300_000);
writeFileSync(source, content);

const arrived = (file: string): boolean => readFileSync(file).equals(content);

describe('an absolute local path as the remote name', () => {
  test('download() from a drive path (C:\\...\\src.bin) copies the bytes', async () => {
    expect(source).toMatch(/^[A-Z]:\\/i);
    const dest = path.join(folder.dir, 'by-download.bin');
    const result = await download(source, dest);
    expect(result.files).toEqual([{ remoteUrl: source, localPath: dest }]);
    expect(arrived(dest)).toBe(true);
  });

  test('download() from the same path with forward slashes, normalized for BITS', async () => {
    const dest = path.join(folder.dir, 'by-slashes.bin');
    await download(source.replace(/\\/g, '/'), dest);
    expect(arrived(dest)).toBe(true);
  });

  // AddFile: remote names are URLs, UNC paths or plain local paths (Wine's and Vanara's tests use them); no page
  // documents the \\?\ form, so only Wine's answer, measured, is asserted.
  test.runIf(wine)('under Wine, addFile with the \\\\?\\ form, then resume, wait and complete', async () => {
    const job = await createJob('local source');
    const dest = path.join(folder.dir, 'by-add-file.bin');
    await job.addFile(`\\\\?\\${source}`, dest);
    const [file] = await job.listFiles();
    expect(await file!.getRemoteName()).toBe(`\\\\?\\${source}`);
    await job.resume();
    expect(await waitForState(job, ['transferred', 'error'])).toBe('transferred');
    await job.complete();
    expect(arrived(dest)).toBe(true);
  });

  // AddFile: a local path as the remote name is a Windows path; Z:\ is Wine's own drive for the Unix root.
  test.runIf(wine)("under Wine, Z:\\tmp\\... is Linux's /tmp/...", async () => {
    // A folder made from the Windows side under Z:, which Wine maps to the Unix root.
    const dir = path.join('Z:\\tmp', `windows-bits-local-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const zSource = path.join(dir, 'src.bin');
      writeFileSync(zSource, content);
      const dest = path.join(folder.dir, 'from-z.bin');
      await download(zSource, dest);
      expect(arrived(dest)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bits download C:\\...\\src.bin <folder> names the file after the source and copies it', () => {
    const into = path.join(folder.dir, 'cli');
    mkdirSync(into);
    const run = bits(['--json', 'download', source, into]);
    expect(run.status, run.output).toBe(0);
    const dest = path.join(into, 'src.bin');
    expect((JSON.parse(run.output) as { files: unknown }).files).toEqual([{ remoteUrl: source, localPath: dest }]);
    expect(arrived(dest)).toBe(true);
  });

  test('bits add <id> C:\\...\\src.bin <dest> adds the local source to a job, which then copies it', async () => {
    const created = bits(['--json', 'create', 'local source by bits add']);
    expect(created.status, created.output).toBe(0);
    const id = (JSON.parse(created.output) as { jobId: string }).jobId;
    const job = await (await manager()).getJob(id);
    jobs.push(job);
    const dest = path.join(folder.dir, 'by-bits-add.bin');
    const added = bits(['--json', 'add', id, source, dest]);
    expect(added.status, added.output).toBe(0);
    expect(JSON.parse(added.output)).toEqual({ jobId: id, remoteUrl: source, localPath: dest });
    await job.resume();
    expect(await waitForState(job, ['transferred', 'error'])).toBe('transferred');
    await job.complete();
    expect(arrived(dest)).toBe(true);
  });
});

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let runs = 0;
/**
 * The real CLI, with its output in a file: Windows Node under Wine cannot write
 * to a pipe. Synchronous is fine here: no server of this process has to answer.
 */
function bits(args: string[]): { status: number | null; output: string } {
  const log = path.join(folder.dir, `cli-${runs++}.log`);
  const fd = openSync(log, 'w');
  const { status } = spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', fd, fd], timeout: 60_000 });
  closeSync(fd);
  return { status, output: readFileSync(log, 'utf8') };
}
