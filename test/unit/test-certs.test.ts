// scripts/test-certs.mjs makes the suite's CA and leaf with the host's openssl. It
// must not depend on an openssl.cnf being found: some Windows images have none, and
// `openssl req` then stops with "unable to find 'distinguished_name'".
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { makeTestCertificates } from '../../scripts/test-certs.mjs';

const saved = process.env.OPENSSL_CONF;
const dirs: string[] = [];
afterEach(() => {
  if (saved === undefined) delete process.env.OPENSSL_CONF;
  else process.env.OPENSSL_CONF = saved;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('test certificates', () => {
  test('are made with no openssl.cnf to be found: a CA, and a leaf it signed for localhost and 127.0.0.1', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'windows-bits-certs-'));
    dirs.push(dir);
    process.env.OPENSSL_CONF = path.join(dir, 'no-such-openssl.cnf');
    expect(makeTestCertificates(dir)).toBeNull();
    const ca = new X509Certificate(readFileSync(path.join(dir, 'ca.der')));
    const leaf = new X509Certificate(readFileSync(path.join(dir, 'leaf.der')));
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    // Made again, the set is kept: a CA trusted before the suite runs stays the CA.
    expect(makeTestCertificates(dir)).toBeNull();
    expect(new X509Certificate(readFileSync(path.join(dir, 'ca.der'))).fingerprint256).toBe(ca.fingerprint256);
  });
});
