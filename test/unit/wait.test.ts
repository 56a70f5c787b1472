// The waiting and event logic of BackgroundCopyJob, driven by a scripted binding
// that plays back a sequence of job states. What BITS really does is the
// integration suite's business; this checks the decisions lib/ takes on each state.
import { describe, expect, test } from 'vitest';

import type { NativeJob, NativeJobError, NativeProgress } from '../../binding.js';
import { AbortError, BackgroundCopyJob, BitsError, TimeoutError } from '../../lib/index.js';

const STATE = { queued: 0, transferring: 2, error: 4, 'transient-error': 5, transferred: 6, cancelled: 8 } as const;

function scripted(states: Array<keyof typeof STATE>, options: { noProgressTimeout?: number; error?: NativeJobError } = {}) {
  let i = 0;
  const calls: string[] = [];
  const progress = (): NativeProgress => ({ bytesTotal: 100, bytesTransferred: Math.min(100, i * 10), filesTotal: 1, filesTransferred: 0 });
  const native = {
    id: '{00000000-0000-0000-0000-000000000001}',
    getState: () => {
      calls.push('getState');
      const s = states[Math.min(i, states.length - 1)]!;
      i++;
      return Promise.resolve(STATE[s]);
    },
    getProgress: () => Promise.resolve(progress()),
    getError: () => Promise.resolve(options.error ?? null),
    getNoProgressTimeout: () => Promise.resolve(options.noProgressTimeout ?? 1209600),
    subscribe: () => (calls.push('subscribe'), Promise.resolve()),
    unsubscribe: () => (calls.push('unsubscribe'), Promise.resolve()),
    close: () => void calls.push('close'),
  } as unknown as NativeJob;
  return { job: new BackgroundCopyJob(native), calls };
}

const http404: NativeJobError = {
  context: 5,
  hresult: 0x80190194,
  description: null,
  systemDescription: '',
  contextDescription: null,
  protocol: 'http',
  file: { remoteName: 'http://h/x', localName: 'C:\\x' },
};

describe('waitForTransfer', () => {
  test('resolves with the progress at transferred', async () => {
    const { job } = scripted(['queued', 'transferring', 'transferred']);
    await expect(job.waitForTransfer({ pollIntervalMs: 10 })).resolves.toMatchObject({ bytesTotal: 100 });
  });

  test("rejects with the job's BitsError at error", async () => {
    const { job } = scripted(['transferring', 'error'], { error: http404 });
    const e = await job.waitForTransfer({ pollIntervalMs: 10 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(BitsError);
    expect(e).toMatchObject({ code: 'BG_E_HTTP_ERROR_404', context: 'remote-file', jobId: job.id, file: { remoteName: 'http://h/x' } });
  });

  test("rejects once 'transient-error' outlasts the job's no-progress timeout", async () => {
    const { job } = scripted(['transferring', 'transient-error'], { noProgressTimeout: 0, error: { ...http404, hresult: 0x8020002d, context: 6 } });
    await expect(job.waitForTransfer({ pollIntervalMs: 10 })).rejects.toMatchObject({ code: 'BG_E_CONNECT_FAILURE', context: 'general-transport' });
  });

  test("keeps waiting through a short 'transient-error'", async () => {
    const { job } = scripted(['transient-error', 'transient-error', 'transferring', 'transferred'], { noProgressTimeout: 3600 });
    await expect(job.waitForTransfer({ pollIntervalMs: 10 })).resolves.toBeDefined();
  });

  test('rejects with BITS_MC_JOB_CANCELLED when the job is cancelled', async () => {
    const { job } = scripted(['transferring', 'cancelled']);
    await expect(job.waitForTransfer({ pollIntervalMs: 10 })).rejects.toMatchObject({ code: 'BITS_MC_JOB_CANCELLED' });
  });

  test('AbortError on abort, TimeoutError after timeoutMs, both naming the job', async () => {
    const { job } = scripted(['transferring']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(job.waitForTransfer({ pollIntervalMs: 10, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    const e = await job.waitForTransfer({ pollIntervalMs: 10, timeoutMs: 30 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).jobId).toBe(job.id);
    await expect(job.waitForTransfer({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
  });

  test('timeoutMs holds even when the poll interval is longer (found by the fuzz suite)', async () => {
    const { job } = scripted(['transferring']);
    const started = Date.now();
    await expect(job.waitForTransfer({ pollIntervalMs: 3_600_000, timeoutMs: 50 })).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('bad options are refused', async () => {
    const { job } = scripted(['transferring']);
    await expect(job.waitForTransfer({ pollIntervalMs: 1 })).rejects.toBeInstanceOf(RangeError);
    await expect(job.waitForTransfer({ signal: 'x' as unknown as AbortSignal })).rejects.toBeInstanceOf(TypeError);
  });
});

describe('events', () => {
  test('the first listener subscribes, the last one removed unsubscribes; state changes arrive once', async () => {
    const { job, calls } = scripted(['queued', 'queued', 'transferring', 'transferring', 'transferred', 'transferred']);
    job.pollIntervalMs = 10;
    const states: string[] = [];
    const onState = (s: string): void => void states.push(s);
    job.on('state', onState);
    const transferred = new Promise((r) => job.once('transferred', r));
    expect(calls).toContain('subscribe');
    await transferred;
    job.off('state', onState);
    expect(calls).toContain('unsubscribe');
    expect(states).toEqual(['transferring', 'transferred']);
  });

  test("an 'error' state without an 'error' listener does not throw", async () => {
    const { job } = scripted(['queued', 'error'], { error: http404 });
    job.pollIntervalMs = 10;
    const seen = new Promise((r) => job.once('state', r));
    await expect(seen).resolves.toBe('error');
    job.removeAllListeners();
  });

  test('close() stops events and releases the handle', async () => {
    const { job, calls } = scripted(['queued', 'transferring']);
    job.pollIntervalMs = 10;
    let events = 0;
    job.on('state', () => events++);
    job.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toBe(0);
    expect(calls).toContain('close');
  });
});
