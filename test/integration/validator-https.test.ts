// Real BITS calls the certificate validator (Windows only: Wine has no
// IBackgroundCopyJobHttpOptions3). An HTTPS range server on 127.0.0.1 serves with
// the test leaf, which the test CA signed; the Windows CI trusts that CA
// (certutil -addstore Root) before the suite, because BITS asks the validator only
// after the system's own checks pass.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, test } from 'vitest';

import type { BackgroundCopyJob } from '../../lib/index.js';
import { startServer } from '../support/http-server.js';
import type { TestServer } from '../support/http-server.js';
import { fileFixture, randomContent, waitForState, wine } from './helpers.js';

const certs = path.join(fileURLToPath(new URL('../..', import.meta.url)), '.test-results', 'certs');
const content = randomContent(200_000);
const { folder, createJob, onTeardown } = fileFixture();
let server: TestServer | undefined;
let ca: X509Certificate;

beforeAll(async () => {
  // IBackgroundCopyJobHttpOptions3: Windows 10 1809 and later; Wine has none, so there is no server to start
  if (wine) return;
  if (!existsSync(path.join(certs, 'leaf.pem'))) throw new Error(`${certs} has no certificates: run the suite with 'npm test'`);
  ca = new X509Certificate(readFileSync(path.join(certs, 'ca.der')));
  server = await startServer({ 'v.bin': content }, { tls: { key: readFileSync(path.join(certs, 'leaf.key')), cert: readFileSync(path.join(certs, 'leaf.pem')) } });
});
onTeardown(() => server?.close());

async function job(name: string, validate: (certificate: Buffer) => boolean): Promise<BackgroundCopyJob> {
  const j = await createJob(name);
  await j.setServerCertificateValidation(validate);
  await j.addFile(server!.url('v.bin'), path.join(folder.dir, `${name}.bin`));
  await j.resume();
  return j;
}

// SetServerCertificateValidationInterface: BITS calls the validator once the system's own certificate checks pass
describe.runIf(!wine)('the certificate validator, called by BITS over HTTPS', () => {
  test('it answers true: BITS asked it with the server leaf, and the download finishes intact', async () => {
    const seen: X509Certificate[] = [];
    const j = await job('validator says yes', (c) => (seen.push(new X509Certificate(c)), true));
    // SetServerCertificateValidationInterface: once the system's checks pass, BITS asks the validator before the request.
    expect(await waitForState(j, ['transferred', 'error', 'transient-error'])).toBe('transferred');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((c) => c.checkIssued(ca) && c.checkIP('127.0.0.1') === '127.0.0.1')).toBe(true);
    await j.complete();
    expect(readFileSync(path.join(folder.dir, 'validator says yes.bin')).equals(content)).toBe(true);
  });

  test('it answers false: the job fails in the callback context with the callback HRESULT', async () => {
    let asked = 0;
    const j = await job('validator says no', () => (asked++, false));
    // ValidateServerCertificate: a rejected certificate puts the job in TRANSIENT_ERROR, context
    // BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK, with the callback's HRESULT (ours: CERT_E_UNTRUSTEDROOT).
    expect(await waitForState(j, ['transient-error', 'error', 'transferred'])).toBe('transient-error');
    expect(asked).toBeGreaterThan(0);
    expect(await j.getError()).toMatchObject({ hresult: 0x800b0109, context: 'server-certificate-callback' });
  });
});
