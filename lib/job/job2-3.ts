// IBackgroundCopyJob2 and IBackgroundCopyJob3: the notify command line, reply
// data of upload-reply jobs, credentials, remote prefixes, file ranges and ACL
// flags. Methods of BackgroundCopyJob, attached to it by lib/job/job.ts; the
// native half is native/bits/job2_3.cc (each side's file names, one name).
import { AUTH_SCHEMES, AUTH_TARGETS } from '../enums.js';
import type { AuthScheme, AuthTarget } from '../enums.js';
import type { FileRange } from '../file.js';
import { checkCredentials, checkRanges, requireAuth, requireLocalName, requireRemoteName, requireString, requireWholeNumber } from '../validate.js';
import type { Credentials, JobCaller, NotifyCmdLine, ReplyProgress } from './types.js';

/** IBackgroundCopyJob2, as methods of BackgroundCopyJob. */
export interface BackgroundCopyJob2 {
  /** IBackgroundCopyJob2::GetNotifyCmdLine; null where none is set. */
  getNotifyCmdLine(): Promise<NotifyCmdLine>;
  /** IBackgroundCopyJob2::SetNotifyCmdLine: a program BITS starts on transfer or error (null clears it). */
  setNotifyCmdLine(program: string | null, parameters?: string | null): Promise<void>;
  /** IBackgroundCopyJob2::GetReplyProgress (upload-reply jobs) */
  getReplyProgress(): Promise<ReplyProgress>;
  /** IBackgroundCopyJob2::GetReplyData: the server's reply to an upload-reply job */
  getReplyData(): Promise<Buffer>;
  /** IBackgroundCopyJob2::GetReplyFileName; null until one is set or BITS chooses one. */
  getReplyFileName(): Promise<string | null>;
  /** IBackgroundCopyJob2::SetReplyFileName */
  setReplyFileName(path: string): Promise<void>;
  /**
   * IBackgroundCopyJob2::SetCredentials. The strings are copied into native
   * memory that is wiped after the call; they never appear in errors or inspect output.
   */
  setCredentials(credentials: Credentials): Promise<void>;
  /** IBackgroundCopyJob2::RemoveCredentials */
  removeCredentials(target: AuthTarget, scheme: AuthScheme): Promise<void>;
}

/** IBackgroundCopyJob3, as methods of BackgroundCopyJob. */
export interface BackgroundCopyJob3 {
  /** IBackgroundCopyJob3::ReplaceRemotePrefix: move every file to another server. */
  replaceRemotePrefix(oldPrefix: string, newPrefix: string): Promise<void>;
  /** IBackgroundCopyJob3::AddFileWithRanges: only these byte ranges of the remote file. */
  addFileWithRanges(remoteUrl: string, localPath: string, ranges: readonly FileRange[]): Promise<void>;
  /** IBackgroundCopyJob3::GetFileACLFlags (BG_COPY_FILE_* bits) */
  getFileACLFlags(): Promise<number>;
  /** IBackgroundCopyJob3::SetFileACLFlags (BG_COPY_FILE_OWNER 1 | GROUP 2 | DACL 4 | SACL 8) */
  setFileACLFlags(flags: number): Promise<void>;
}

/** The implementations, attached to BackgroundCopyJob's prototype. @internal */
export const job2Methods: BackgroundCopyJob2 & ThisType<JobCaller> = {
  getNotifyCmdLine() {
    return this.call((j) => j.getNotifyCmdLine());
  },
  async setNotifyCmdLine(program, parameters = null) {
    const p = program === null ? null : requireString('program', program, { maxLength: 32767 });
    const a = parameters === null ? null : requireString('parameters', parameters, { maxLength: 32767, allowEmpty: true });
    await this.call((j) => j.setNotifyCmdLine(p, a));
  },
  getReplyProgress() {
    return this.call((j) => j.getReplyProgress());
  },
  getReplyData() {
    return this.call((j) => j.getReplyData());
  },
  getReplyFileName() {
    return this.call((j) => j.getReplyFileName());
  },
  async setReplyFileName(path) {
    const p = requireLocalName('path', path);
    await this.call((j) => j.setReplyFileName(p));
  },
  async setCredentials(credentials) {
    const c = checkCredentials('credentials', credentials);
    await this.call((j) => j.setCredentials(...c));
  },
  async removeCredentials(target, scheme) {
    const t = requireAuth('target', target, AUTH_TARGETS);
    const s = requireAuth('scheme', scheme, AUTH_SCHEMES);
    await this.call((j) => j.removeCredentials(t, s));
  },
};

/** The implementations, attached to BackgroundCopyJob's prototype. @internal */
export const job3Methods: BackgroundCopyJob3 & ThisType<JobCaller> = {
  async replaceRemotePrefix(oldPrefix, newPrefix) {
    const a = requireString('oldPrefix', oldPrefix, { maxLength: 2200 });
    const b = requireString('newPrefix', newPrefix, { maxLength: 2200 });
    await this.call((j) => j.replaceRemotePrefix(a, b));
  },
  async addFileWithRanges(remoteUrl, localPath, ranges) {
    const remote = requireRemoteName('remoteUrl', remoteUrl);
    const local = requireLocalName('localPath', localPath);
    const rs = checkRanges(ranges);
    await this.call((j) => j.addFileWithRanges(remote, local, rs));
  },
  getFileACLFlags() {
    return this.call((j) => j.getFileACLFlags());
  },
  async setFileACLFlags(flags) {
    const f = requireWholeNumber('flags', flags, 15);
    await this.call((j) => j.setFileACLFlags(f));
  },
};
