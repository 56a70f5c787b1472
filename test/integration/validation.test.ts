// The server certificate validator, asked as BITS asks it:
// Wine has no IBackgroundCopyJobHttpOptions3, so the test driver
// (native/test/callback_driver.cc) builds the object setServerCertificateValidation
// makes and calls ValidateServerCertificate from threads of its own, with a real
// certificate and chain (made with openssl by scripts/test.mjs before the suite).
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, test } from 'vitest';

import { cancelQuietly, manager, rawBinding, spawnToFiles, tempFolder } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const certs = path.join(root, '.test-results', 'certs');
const REFUSED = 0x800b0109; // CERT_E_UNTRUSTEDROOT
let leaf: Buffer;
let chain: Buffer;

beforeAll(() => {
  if (!existsSync(path.join(certs, 'leaf.der'))) {
    throw new Error(`${certs} has no certificates: run the suite with 'npm test' (scripts/test.mjs makes them with openssl)`);
  }
  leaf = readFileSync(path.join(certs, 'leaf.der'));
  chain = readFileSync(path.join(certs, 'ca.der'));
});

/** One validation of the real leaf and its CA, as BITS would ask it. */
async function validate(fn: (certificate: Buffer, encodingType: number) => unknown, limitMs = 10_000): Promise<number> {
  const r = await rawBinding.debugDriveValidation(fn, { certificate: leaf, chain, limitMs });
  expect(r.hresults).toHaveLength(1);
  return r.hresults[0] ?? -1;
}

describe('ValidateServerCertificate with a real certificate and chain', () => {
  test('JS answers true: accepted; it receives the DER certificate exactly, X509_ASN_ENCODING', async () => {
    let seen: [Buffer, number] | undefined;
    // A validator as an application writes it: is this leaf issued by our CA?
    const ca = new X509Certificate(chain);
    const hr = await validate((c, e) => {
      seen = [c, e];
      const cert = new X509Certificate(c);
      return cert.checkIssued(ca) && cert.verify(ca.publicKey) && cert.subject.includes('CN=localhost');
    });
    expect(hr).toBe(0);
    expect(seen?.[0].equals(leaf)).toBe(true);
    expect(seen?.[1]).toBe(1);
  });

  test('JS answers false, throws, or returns a rejected promise: refused', async () => {
    expect(await validate(() => false)).toBe(REFUSED);
    expect(
      await validate(() => {
        throw new Error('no');
      }),
    ).toBe(REFUSED);
    expect(await validate(() => Promise.reject(new Error('no')))).toBe(REFUSED);
    expect(await validate(() => Promise.resolve(true))).toBe(0);
  });

  test('JS never answers: refused at the limit (200 ms here, 30 s in the product)', async () => {
    const start = Date.now();
    expect(await validate(() => new Promise(() => undefined), 200)).toBe(REFUSED);
    const took = Date.now() - start;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(5_000);
  });

  // Wine cannot register a validator with a job (no HttpOptions3), so what is
  // closed here is a job object with a live watch, in the middle of the question:
  // the question belongs to the validator, which BITS's call keeps alive, so it
  // still gets JS's answer, and one nobody answers still ends at its limit.
  test('a job closed while a validation waits: the answer still arrives; an unanswered one ends at its limit', async () => {
    const folder = tempFolder();
    const job = await (await manager()).createJob('validation closed');
    job.on('state', () => undefined);
    let answer: (yes: boolean) => void = () => undefined;
    let asked: () => void = () => undefined;
    const question = new Promise<void>((resolve) => (asked = resolve));
    const answered = rawBinding.debugDriveValidation(
      () => {
        asked();
        return new Promise<boolean>((resolve) => (answer = resolve));
      },
      { certificate: leaf, chain, limitMs: 10_000 },
    );
    const unanswered = rawBinding.debugDriveValidation(() => new Promise(() => undefined), { certificate: leaf, chain, limitMs: 300 });
    await question;
    job.close();
    answer(true);
    expect((await answered).hresults).toEqual([0]);
    expect((await unanswered).hresults).toEqual([REFUSED]);
    await cancelQuietly(await (await manager()).getJob(job.id));
    folder.cleanup();
  });

  test('50 validations at once, each answered on its own', async () => {
    let waiting = 0;
    let most = 0;
    const answers: Array<() => void> = [];
    const r = rawBinding.debugDriveValidation(
      () => {
        waiting++;
        most = Math.max(most, waiting);
        const i = answers.length;
        const p = new Promise<boolean>((resolve) => answers.push(() => (waiting--, resolve(i % 2 === 0))));
        // Answered only once all 50 wait: they were asked at the same time.
        if (answers.length === 50) for (const a of answers) a();
        return p;
      },
      { certificate: leaf, chain, limitMs: 30_000, threads: 50, calls: 50 },
    );
    const { hresults } = await r;
    expect(most).toBe(50);
    expect(hresults.filter((hr) => hr === 0)).toHaveLength(25);
    expect(hresults.filter((hr) => hr === REFUSED)).toHaveLength(25);
  });

  test('the process exits while a validation waits: code 0, at once', async () => {
    const folder = tempFolder();
    const log = path.join(folder.dir, 'exit.log');
    const child = spawnToFiles(process.execPath, [path.join(root, 'test', 'integration', 'fixtures', 'validate-then-exit.mjs'), root], log);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const endedAt = Date.now();
    const output = readFileSync(log, 'utf8');
    expect(code, output).toBe(0);
    const askedAt = Number(/asked at (\d+)/.exec(output)?.[1]);
    expect(askedAt, output).toBeGreaterThan(0);
    // The limit is 60 s: an exit that waited for it, or for the pool's 5 s stop, fails here.
    expect(endedAt - askedAt).toBeLessThan(4_000);
    folder.cleanup();
  });
});
