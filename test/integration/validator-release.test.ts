// What becomes of a certificate validator when the job handle that set it is
// released. SetServerCertificateValidationInterface: BITS takes the clearing only
// while the job is suspended (BG_E_READ_ONLY_WHEN_JOB_ACTIVE otherwise). The package
// asks for the clearing, and whatever BITS answers, the validator retires: it
// answers every later question with BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED,
// the error BITS records when an application's validator cannot be reached, and
// never calls the application's function again. Wine has no HttpOptions3, so the
// test addon stands in for BITS (native/test/release_driver.cc), on both paths.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, test } from 'vitest';

import { rawBinding } from './helpers.js';

const BG_E_READ_ONLY_WHEN_JOB_ACTIVE = 0x80200075;
const BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED = 0x80200074;
const certs = path.join(fileURLToPath(new URL('../..', import.meta.url)), '.test-results', 'certs');
let leaf: Buffer;

beforeAll(() => {
  if (!existsSync(path.join(certs, 'leaf.der'))) throw new Error(`${certs} has no certificates: run the suite with 'npm test'`);
  leaf = readFileSync(path.join(certs, 'leaf.der'));
});

describe('a validator at the release of its job handle', () => {
  test('an active job: BITS refuses the clearing and keeps its reference, to a validator that refuses without asking JS', () => {
    let asked = 0;
    const r = rawBinding.debugReleaseValidator(() => (asked++, true), { clearing: BG_E_READ_ONLY_WHEN_JOB_ACTIVE, certificate: leaf, limitMs: 2_000 });
    expect(r).toEqual({ cleared: BG_E_READ_ONLY_WHEN_JOB_ACTIVE, clearings: 1, bitsHolds: true, answer: BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED });
    expect(asked).toBe(0);
  });

  test('a suspended job: BITS takes the clearing and lets the validator go, which retires all the same', () => {
    let asked = 0;
    const r = rawBinding.debugReleaseValidator(() => (asked++, true), { clearing: 0, certificate: leaf, limitMs: 2_000 });
    expect(r).toEqual({ cleared: 0, clearings: 1, bitsHolds: false, answer: BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED });
    expect(asked).toBe(0);
  });
});
