// IBackgroundCopyJob4 (BITS 3.0), reached by QueryInterface: queryJob4() asks BITS
// once, and on yes gives back the same job object, now with the interface's
// methods, as COM's QueryInterface gives the same object. One object per job
// wrapper: one emitter, one closed state, one native handle and release action.
import { requireWholeNumber } from '../validate.js';
import { BackgroundCopyJob } from './job.js';

/**
 * IBackgroundCopyJob4 (BITS 3.0, Vista and later): peer caching, owner integrity
 * and elevation, maximum download time. Get it with `job.queryJob4()`, which
 * resolves with the job itself: events, `close()` and every other method are the job's.
 */
export class BackgroundCopyJob4 extends BackgroundCopyJob {
  /** IBackgroundCopyJob4::GetPeerCachingFlags: BG_JOB_ENABLE_PEERCACHING_CLIENT (1) | _SERVER (2). */
  getPeerCachingFlags(): Promise<number> {
    return this.call((j) => j.getPeerCachingFlags());
  }

  /** IBackgroundCopyJob4::SetPeerCachingFlags */
  async setPeerCachingFlags(flags: number): Promise<void> {
    const f = requireWholeNumber('flags', flags, 3);
    await this.call((j) => j.setPeerCachingFlags(f));
  }

  /** IBackgroundCopyJob4::GetOwnerIntegrityLevel: the SECURITY_MANDATORY_*_RID of the job's owner. */
  getOwnerIntegrityLevel(): Promise<number> {
    return this.call((j) => j.getOwnerIntegrityLevel());
  }

  /** IBackgroundCopyJob4::GetOwnerElevationState: true if the owner was elevated when it created the job. */
  getOwnerElevationState(): Promise<boolean> {
    return this.call((j) => j.getOwnerElevationState());
  }

  /** IBackgroundCopyJob4::GetMaximumDownloadTime, in seconds; 0 means no limit. */
  getMaximumDownloadTime(): Promise<number> {
    return this.call((j) => j.getMaximumDownloadTime());
  }

  /** IBackgroundCopyJob4::SetMaximumDownloadTime, in seconds; 0 removes the limit. */
  async setMaximumDownloadTime(seconds: number): Promise<void> {
    const s = requireWholeNumber('seconds', seconds);
    await this.call((j) => j.setMaximumDownloadTime(s));
  }
}

declare module './job.js' {
  interface BackgroundCopyJob {
    /**
     * QueryInterface for IBackgroundCopyJob4 (BITS 3.0, Vista and later): resolves
     * with this same object, typed as BackgroundCopyJob4; rejects with a BitsError
     * E_NOINTERFACE where the system lacks it. The answer is kept: asking again
     * costs no call to BITS.
     */
    queryJob4(): Promise<BackgroundCopyJob4>;
  }
}

BackgroundCopyJob.prototype.queryJob4 = async function queryJob4(this: BackgroundCopyJob): Promise<BackgroundCopyJob4> {
  if (!(this instanceof BackgroundCopyJob4)) {
    await this.call((j) => j.queryInterface('IBackgroundCopyJob4'));
    // Same object, more methods: what QueryInterface means.
    Object.setPrototypeOf(this, BackgroundCopyJob4.prototype);
  }
  if (this.handle.closed) throw this.handle.closedError();
  // Its prototype is BackgroundCopyJob4's now; the class adds no state of its own.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  return this as BackgroundCopyJob4;
};
