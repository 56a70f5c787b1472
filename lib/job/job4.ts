import { BackgroundCopyJob } from './job.js';
import { requireUint32 } from './validate.js';

/**
 * IBackgroundCopyJob4 (BITS 3.0): peer caching, owner integrity and elevation,
 * maximum download time. Get it with `job.queryJob4()`.
 */
export class BackgroundCopyJob4 extends BackgroundCopyJob {
  /** IBackgroundCopyJob4::GetPeerCachingFlags: BG_JOB_ENABLE_PEERCACHING_CLIENT (1) | _SERVER (2). */
  getPeerCachingFlags(): Promise<number> {
    return this.call((j) => j.getPeerCachingFlags());
  }

  /** IBackgroundCopyJob4::SetPeerCachingFlags */
  async setPeerCachingFlags(flags: number): Promise<void> {
    const f = requireUint32('flags', flags, 3);
    return this.call((j) => j.setPeerCachingFlags(f));
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
    const s = requireUint32('seconds', seconds);
    return this.call((j) => j.setMaximumDownloadTime(s));
  }
}
