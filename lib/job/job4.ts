// IBackgroundCopyJob4 (BITS 3.0): peer caching, the owner's integrity and
// elevation, the maximum download time. A table of methods, attached by
// lib/job/job.ts to BackgroundCopyJob4, the class queryJob4() turns a job into.
import { requireWholeNumber } from '../validate.js';
import type { JobCaller } from './types.js';

/** IBackgroundCopyJob4, as methods of BackgroundCopyJob4. */
export interface BackgroundCopyJob4Methods {
  /** IBackgroundCopyJob4::GetPeerCachingFlags: BG_JOB_ENABLE_PEERCACHING_CLIENT (1) | _SERVER (2). */
  getPeerCachingFlags(): Promise<number>;
  /** IBackgroundCopyJob4::SetPeerCachingFlags */
  setPeerCachingFlags(flags: number): Promise<void>;
  /** IBackgroundCopyJob4::GetOwnerIntegrityLevel: the SECURITY_MANDATORY_*_RID of the job's owner. */
  getOwnerIntegrityLevel(): Promise<number>;
  /** IBackgroundCopyJob4::GetOwnerElevationState: true if the owner was elevated when it created the job. */
  getOwnerElevationState(): Promise<boolean>;
  /** IBackgroundCopyJob4::GetMaximumDownloadTime, in seconds; 0 means no limit. */
  getMaximumDownloadTime(): Promise<number>;
  /** IBackgroundCopyJob4::SetMaximumDownloadTime, in seconds; 0 removes the limit. */
  setMaximumDownloadTime(seconds: number): Promise<void>;
}

/** The implementations, attached to BackgroundCopyJob4's prototype. @internal */
export const job4Methods: BackgroundCopyJob4Methods & ThisType<JobCaller> = {
  getPeerCachingFlags() {
    return this.call((j) => j.getPeerCachingFlags());
  },
  async setPeerCachingFlags(flags) {
    const f = requireWholeNumber('flags', flags, 3);
    await this.call((j) => j.setPeerCachingFlags(f));
  },
  getOwnerIntegrityLevel() {
    return this.call((j) => j.getOwnerIntegrityLevel());
  },
  getOwnerElevationState() {
    return this.call((j) => j.getOwnerElevationState());
  },
  getMaximumDownloadTime() {
    return this.call((j) => j.getMaximumDownloadTime());
  },
  async setMaximumDownloadTime(seconds) {
    const s = requireWholeNumber('seconds', seconds);
    await this.call((j) => j.setMaximumDownloadTime(s));
  },
};
