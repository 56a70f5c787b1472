// IBackgroundCopyJobHttpOptions, 2 and 3: headers, TLS flags, client and server
// certificates, the HTTP method. Methods of BackgroundCopyJob, attached to it by
// lib/job/job.ts, so that each BITS interface family has a file of its own.
import { CERT_STORE_LOCATIONS, enumName } from '../enums.js';
import type { CertStoreLocation } from '../enums.js';
import { headerText, requireOneOf, requireString, requireWholeNumber } from '../validate.js';
import type { ClientCertificate, JobCaller } from './types.js';

/** A function BITS asks about each server certificate: DER bytes and their encoding type. */
export type ServerCertificateValidator = (certificate: Buffer, encodingType: number) => boolean | Promise<boolean>;

/** IBackgroundCopyJobHttpOptions, 2 and 3, as methods of BackgroundCopyJob. */
export interface BackgroundCopyJobHttpOptions {
  /** IBackgroundCopyJobHttpOptions::GetCustomHeaders, as lines; empty when none are set. */
  getCustomHeaders(): Promise<string[]>;
  /** IBackgroundCopyJobHttpOptions::SetCustomHeaders: `{ name: value }` or `'Name: value'` lines; empty clears. */
  setCustomHeaders(headers: Readonly<Record<string, string>> | readonly string[]): Promise<void>;
  /** IBackgroundCopyJobHttpOptions::GetSecurityFlags (BG_SSL bits) */
  getSecurityFlags(): Promise<number>;
  /** IBackgroundCopyJobHttpOptions::SetSecurityFlags (BG_SSL bits) */
  setSecurityFlags(flags: number): Promise<void>;
  /** IBackgroundCopyJobHttpOptions::SetClientCertificateByID: a certificate by its SHA-1 hash */
  setClientCertificateByHash(storeLocation: CertStoreLocation, storeName: string, sha1: Buffer): Promise<void>;
  /** IBackgroundCopyJobHttpOptions::SetClientCertificateByName: a certificate by its subject name */
  setClientCertificateByName(storeLocation: CertStoreLocation, storeName: string, subjectName: string): Promise<void>;
  /** IBackgroundCopyJobHttpOptions::RemoveClientCertificate */
  removeClientCertificate(): Promise<void>;
  /** IBackgroundCopyJobHttpOptions::GetClientCertificate; null when the job has none. */
  getClientCertificate(): Promise<ClientCertificate | null>;
  /** IBackgroundCopyJobHttpOptions2::GetHttpMethod (Windows 10 1809) */
  getHttpMethod(): Promise<string>;
  /** IBackgroundCopyJobHttpOptions2::SetHttpMethod, e.g. 'POST' (Windows 10 1809) */
  setHttpMethod(method: string): Promise<void>;
  /** IBackgroundCopyJobHttpOptions3::MakeCustomHeadersWriteOnly: irreversible (Windows 10 1903) */
  makeCustomHeadersWriteOnly(): Promise<void>;
  /**
   * IBackgroundCopyJobHttpOptions3::SetServerCertificateValidationInterface
   * (Windows 10 1903): BITS asks `validator` about each server certificate and
   * trusts it only on `true`. A validator that throws, rejects or takes over 30 s
   * refuses the certificate. null removes it. BITS takes a change only while the job
   * is suspended (BG_E_READ_ONLY_WHEN_JOB_ACTIVE). When this job object is closed,
   * the validator is cleared; on an active job BITS refuses that, and the validator
   * then answers every later question with BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED
   * without calling `validator`: the job stops in that error until a validator is set
   * again and the job resumed. Closing never suspends or resumes the job.
   */
  setServerCertificateValidation(validator: ServerCertificateValidator | null): Promise<void>;
}

const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const storeLocation = (l: unknown): number => CERT_STORE_LOCATIONS.indexOf(requireOneOf('storeLocation', l, CERT_STORE_LOCATIONS));

/** The implementations, attached to BackgroundCopyJob's prototype. @internal */
export const httpOptionsMethods: BackgroundCopyJobHttpOptions & ThisType<JobCaller> = {
  async getCustomHeaders() {
    const text = await this.call((j) => j.getCustomHeaders());
    return text === null ? [] : text.split('\r\n').filter((l) => l.length > 0);
  },
  async setCustomHeaders(headers) {
    const text = headerText(headers);
    await this.call((j) => j.setCustomHeaders(text));
  },
  getSecurityFlags() {
    return this.call((j) => j.getSecurityFlags());
  },
  async setSecurityFlags(flags) {
    const f = requireWholeNumber('flags', flags, 0xfff);
    await this.call((j) => j.setSecurityFlags(f));
  },
  async setClientCertificateByHash(location, storeName, sha1) {
    const l = storeLocation(location);
    const s = requireString('storeName', storeName, { maxLength: 256 });
    if (!Buffer.isBuffer(sha1)) throw new TypeError('sha1 must be a Buffer');
    if (sha1.length !== 20) throw new RangeError('sha1 must be 20 bytes');
    await this.call((j) => j.setClientCertificateByID(l, s, sha1));
  },
  async setClientCertificateByName(location, storeName, subjectName) {
    const l = storeLocation(location);
    const s = requireString('storeName', storeName, { maxLength: 256 });
    const n = requireString('subjectName', subjectName, { maxLength: 1024 });
    await this.call((j) => j.setClientCertificateByName(l, s, n));
  },
  async removeClientCertificate() {
    await this.call((j) => j.removeClientCertificate());
  },
  async getClientCertificate() {
    const c = await this.call((j) => j.getClientCertificate());
    return c === null ? null : { ...c, storeLocation: enumName(CERT_STORE_LOCATIONS, c.storeLocation, 'store location') };
  },
  getHttpMethod() {
    return this.call((j) => j.getHttpMethod());
  },
  async setHttpMethod(method) {
    const m = requireString('method', method, { maxLength: 64 });
    if (!HTTP_TOKEN.test(m)) throw new RangeError('method must be an HTTP token such as POST');
    await this.call((j) => j.setHttpMethod(m));
  },
  async makeCustomHeadersWriteOnly() {
    await this.call((j) => j.makeCustomHeadersWriteOnly());
  },
  async setServerCertificateValidation(validator) {
    if (validator !== null && typeof validator !== 'function') throw new TypeError('validator must be a function or null');
    await this.call((j) => j.setServerCertificateValidation(validator));
  },
};
