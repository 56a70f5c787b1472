// IBackgroundCopyManager against the real service: "Creating a Job" step by step.
import { randomUUID } from 'node:crypto';

import { describe, expect, test } from 'vitest';

import { BackgroundCopyManager, BitsError, JOB_TYPES } from '../../lib/index.js';
import { elevated } from './elevation.js';
import { expectCode, fileFixture, manager, realOrNotImplemented, wine } from './helpers.js';

const { created, createJob } = fileFixture();

describe('BackgroundCopyManager', () => {
  test('connect() reaches the BITS service: a job made through one connection is listed by another', async () => {
    const a = await BackgroundCopyManager.connect();
    const b = await BackgroundCopyManager.connect();
    const job = await a.createJob(`connect ${randomUUID()}`);
    created.push(job);
    const listed = await b.listJobs();
    expect(listed.map((j) => j.id)).toContain(job.id);
    for (const j of listed) j.close();
    a.close();
    b.close();
  });

  test.each(JOB_TYPES)('createJob(%s): the job has that type and starts suspended', async (type) => {
    const job = await createJob(`windows-bits ${type}`, type);
    expect(job.id).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/);
    expect(await job.getType()).toBe(type);
    expect(await job.getState()).toBe('suspended');
    expect(await job.getDisplayName()).toBe(`windows-bits ${type}`);
    expect(await job.getProgress()).toEqual({ bytesTotal: 0, bytesTransferred: 0, filesTotal: 0, filesTransferred: 0 });
  });

  test('two jobs with one display name get different GUIDs, and getJob finds each', async () => {
    const m = await manager();
    const a = await m.createJob('same name');
    const b = await m.createJob('same name');
    created.push(a, b);
    expect(a.id).not.toBe(b.id);
    const againA = await m.getJob(a.id);
    const againB = await m.getJob(b.id);
    expect(againA.id).toBe(a.id);
    expect(againB.id).toBe(b.id);
    expect(await againA.getDisplayName()).toBe('same name');
  });

  test('getJob accepts the usual GUID spellings and answers in the canonical one', async () => {
    const m = await manager();
    const job = await m.createJob('spellings');
    created.push(job);
    const bare = job.id.slice(1, -1);
    for (const spelling of [bare.toLowerCase(), `{${bare.toLowerCase()}}`, `(${bare})`, bare.replace(/-/g, '')]) {
      expect((await m.getJob(spelling)).id).toBe(job.id);
    }
  });

  test('getJob of an unknown GUID is BG_E_NOT_FOUND', async () => {
    const e = await (await manager()).getJob(randomUUID()).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(BitsError);
    expect(e).toMatchObject({ code: 'BG_E_NOT_FOUND', hresult: 0x80200001, method: 'IBackgroundCopyManager::GetJob' });
    expect((e as BitsError).message).toMatch(/not found/i);
  });

  test('listJobs() includes the jobs this user created', async () => {
    const m = await manager();
    const job = await m.createJob('listed');
    created.push(job);
    const ids = (await m.listJobs()).map((j) => j.id);
    expect(ids).toContain(job.id);
  });

  test('a Unicode display name round-trips exactly', async () => {
    const name = 'Загрузка 📦 ダウンロード ✓ \u{1F600}';
    const job = await createJob(name);
    expect(await job.getDisplayName()).toBe(name);
  });

  test('200 getState() calls in flight at once all resolve', async () => {
    const job = await createJob('parallel');
    const states = await Promise.all(Array.from({ length: 200 }, () => job.getState()));
    expect(states).toHaveLength(200);
    expect(new Set(states)).toEqual(new Set(['suspended']));
  });

  test('getErrorDescription: BITS text on Windows, a clean E_NOTIMPL on Wine', async () => {
    // GetErrorDescription: the text of the HRESULT in the language asked for; BG_E_HTTP_ERROR_404 is the server's "not found"
    await realOrNotImplemented(
      (await manager()).getErrorDescription(0x80190194, 0x409),
      (text) => expect(text).toMatch(/404|not found/i),
      'IBackgroundCopyManager::GetErrorDescription',
    );
  });

  test('listJobs({ allUsers: true }): every job for an administrator, E_ACCESSDENIED for a standard user', async () => {
    const m = await manager();
    const job = await m.createJob('all users');
    created.push(job);
    // EnumJobs: BG_JOB_ENUM_ALL_USERS needs an administrator, E_ACCESSDENIED otherwise. Wine's EnumJobs
    // ignores its flags (dlls/qmgr/qmgr.c), so there it lists the jobs as for an administrator.
    if (wine || elevated) {
      const listed = await m.listJobs({ allUsers: true });
      expect(listed.map((j) => j.id)).toContain(job.id);
      for (const j of listed) j.close();
    } else {
      await expectCode(m.listJobs({ allUsers: true }), 'E_ACCESSDENIED', 'IBackgroundCopyManager::EnumJobs');
    }
  });

  test('cancel() ends the job: it reads cancelled, and Windows drops it from the queue', async () => {
    const m = await manager();
    const job = await m.createJob('to cancel');
    expect(await job.cancel()).toBe('cancelled');
    expect(await job.getState()).toBe('cancelled');
    await expect(job.cancel()).rejects.toMatchObject({ code: 'BG_E_INVALID_STATE' });
    // Cancel: deletes the job from the transfer queue; GetJob: BG_E_NOT_FOUND when no job has the id
    if (wine) {
      // Wine keeps a cancelled job in its list until its transfer thread's next
      // round, which only the next Resume of some job starts (README, "Testing on
      // Linux with Wine"); this test resumes none.
      expect(await (await m.getJob(job.id)).getState()).toBe('cancelled');
    } else {
      await expect(m.getJob(job.id)).rejects.toMatchObject({ code: 'BG_E_NOT_FOUND' });
    }
  });
});
