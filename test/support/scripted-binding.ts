// A binding for unit tests that plays back a script of job states, records every
// call that would reach the COM pool, and lets a test deliver callback events as
// BITS would. What BITS really does is the integration suite's business; this
// checks the decisions lib/ takes.
import type { NativeJob, NativeJobError, NativeJobEvent, NativeProgress } from '../../binding.js';
import { useBinding } from '../../lib/binding.js';
import { jobFromNative } from '../../lib/job/job.js';
import type { BackgroundCopyJob } from '../../lib/index.js';

export const STATE = { queued: 0, connecting: 1, transferring: 2, suspended: 3, error: 4, 'transient-error': 5, transferred: 6, acknowledged: 7, cancelled: 8 } as const;
export type StateName = keyof typeof STATE;
let jobs = 0;

export interface Script {
  /** The state each getStatus call reads, the last one repeated. */
  states: StateName[];
  noProgressTimeout?: number;
  error?: NativeJobError;
  /** Holds each getStatus answer until the test releases it. */
  gated?: boolean;
  /** getStatus rejects with this from the given read on (0-based), as when the service dies. */
  failFrom?: { read: number; error: Error };
  /**
   * The binding's answers for other job methods (getTimes, getProperty, ...), or
   * in place of the scripted ones: each call is recorded by name, then answered.
   */
  answers?: Partial<NativeJob>;
}

export interface Scripted {
  /** The scripted job's id (each script has its own, so watches never mix). */
  id: string;
  /** Every binding call, by name, in order: each is one hop to the COM pool. */
  calls: string[];
  /** A new wrapper of the scripted job, as manager.getJob would give. */
  job(): BackgroundCopyJob;
  /** The calls that went through this wrapper's own native handle, in order. */
  callsOf(job: BackgroundCopyJob): string[];
  /** Delivers an event as the addon's callback would. */
  callback(event: Partial<NativeJobEvent> & Pick<NativeJobEvent, 'kind'>): void;
  /** With `gated`: answers the oldest getStatus still waiting. */
  release(): void;
  progress(): NativeProgress;
}

export const http404: NativeJobError = {
  context: 5,
  hresult: 0x80190194,
  description: null,
  systemDescription: '',
  contextDescription: null,
  protocol: 'http',
  file: { remoteName: 'http://h/x', localName: 'C:\\x' },
};

export function scripted(script: Script): Scripted {
  let i = 0;
  const id = `{00000000-0000-0000-0000-${String(++jobs).padStart(12, '0')}}`;
  const calls: string[] = [];
  const byWrapper = new WeakMap<BackgroundCopyJob, string[]>();
  const gates: Array<() => void> = [];
  let listener: ((e: NativeJobEvent) => void) | undefined;
  const progress = (): NativeProgress => ({ bytesTotal: 100, bytesTransferred: Math.min(100, i * 10), filesTotal: 1, filesTransferred: 0 });
  const native = (own: string[]): NativeJob => {
    const log = (name: string): void => {
      calls.push(name);
      own.push(name);
    };
    const record = <T>(name: string, value: T): Promise<T> => {
      log(name);
      return Promise.resolve(value);
    };
    const answers: Record<string, (...args: unknown[]) => unknown> = {};
    for (const [name, answer] of Object.entries(script.answers ?? {})) {
      if (typeof answer !== 'function') continue;
      answers[name] = (...args: unknown[]): unknown => {
        log(name);
        return (answer as (...a: unknown[]) => unknown)(...args);
      };
    }
    return {
      id,
      getStatus: () => {
        log('getStatus');
        if (script.failFrom && i >= script.failFrom.read) return Promise.reject(script.failFrom.error);
        const s = script.states[Math.min(i, script.states.length - 1)] ?? 'queued';
        i++;
        const status = { state: STATE[s], progress: progress(), error: s === 'error' || s === 'transient-error' ? (script.error ?? null) : null };
        if (!script.gated) return Promise.resolve(status);
        return new Promise((resolve) => gates.push(() => resolve(status)));
      },
      getState: () => record('getState', STATE[script.states[Math.min(i, script.states.length - 1)] ?? 'queued']),
      getProgress: () => record('getProgress', progress()),
      getError: () => record('getError', script.error ?? null),
      getNoProgressTimeout: () => record('getNoProgressTimeout', script.noProgressTimeout ?? 1209600),
      subscribe: () => record('subscribe', undefined),
      unsubscribe: () => record('unsubscribe', undefined),
      close: () => log('close'),
      // Not a call to BITS, so not recorded: the name the addon gives a job (Job::Describe).
      describe: () => `Job ${id}`,
      ...answers,
    } as unknown as NativeJob;
  };
  useBinding({
    connect: () => Promise.reject(new Error('scripted: no manager')),
    setEventListener: (fn: (e: NativeJobEvent) => void) => {
      listener = fn;
    },
    setErrorClasses: () => undefined,
    availability: () => Promise.reject(new Error('scripted: no availability')),
  });
  return {
    id,
    calls,
    job: () => {
      const own: string[] = [];
      const job = jobFromNative(native(own));
      byWrapper.set(job, own);
      return job;
    },
    callsOf: (job) => byWrapper.get(job) ?? [],
    // receivedAt on process.hrtime's clock, as the addon stamps it when BITS calls.
    callback: (e) => listener?.({ jobId: id, state: -1, receivedAt: Number(process.hrtime.bigint()), ...e }),
    release: () => gates.shift()?.(),
    progress,
  };
}
