// The certificates the integration suite hands to the certificate validator
// (test/integration/validation.test.ts): a CA and a leaf it signed, made with
// openssl on the host before the suite starts, because Windows Node under Wine
// cannot run the host's openssl. DER files: ca.der, leaf.der; PEM for a TLS server:
// leaf.pem, leaf.key, ca.pem.
// Returns null on success, else what went wrong.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FILES = ['ca.der', 'ca.pem', 'leaf.der', 'leaf.pem', 'leaf.key'];

/**
 * A set made earlier is kept while its leaf has an hour left: the Windows CI trusts
 * this CA (certutil -addstore Root) before npm test runs, which must not replace it.
 */
function stillGood(dir) {
  if (!FILES.every((f) => existsSync(path.join(dir, f)))) return false;
  try {
    return Date.parse(new X509Certificate(readFileSync(path.join(dir, 'leaf.der'))).validTo) > Date.now() + 3_600_000;
  } catch {
    return false;
  }
}

/**
 * `openssl req` reads a config for its distinguished_name section even when -subj
 * gives the name; an openssl that finds no openssl.cnf (some Windows images) fails
 * with "unable to find 'distinguished_name'". This one is enough and is always given.
 */
export const OPENSSL_CONFIG = [
  '[req]',
  'distinguished_name = dn',
  'prompt = no',
  'x509_extensions = ca',
  '[dn]',
  'CN = windows-bits',
  '[ca]',
  'basicConstraints = critical, CA:TRUE',
  'keyUsage = critical, keyCertSign, cRLSign',
  'subjectKeyIdentifier = hash',
  '',
].join('\n');

export function makeTestCertificates(dir) {
  if (stillGood(dir)) return null;
  mkdirSync(dir, { recursive: true });
  const f = (name) => path.join(dir, name);
  writeFileSync(f('openssl.cnf'), OPENSSL_CONFIG);
  // The names a client checks the leaf against (the suite's HTTPS server is https://127.0.0.1:<port>/).
  writeFileSync(f('leaf.ext'), 'subjectAltName = DNS:localhost, IP:127.0.0.1\n');
  const config = ['-config', f('openssl.cnf')];
  const steps = [
    ['req', ...config, '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=windows-bits test CA'],
    ['req', ...config, '-newkey', 'rsa:2048', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=localhost'],
    ['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-extfile', f('leaf.ext'), '-out', f('leaf.pem'), '-days', '2'],
    ['x509', '-in', f('ca.pem'), '-outform', 'DER', '-out', f('ca.der')],
    ['x509', '-in', f('leaf.pem'), '-outform', 'DER', '-out', f('leaf.der')],
  ];
  for (const args of steps) {
    const r = spawnSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      return `openssl ${args[0]} failed (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`}): ${r.stderr ?? ''}`.trim() + " (scripts/setup.sh installs Debian's openssl)";
    }
  }
  return null;
}

// node scripts/test-certs.mjs <dir>: the CI step that trusts the CA makes the set first.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const failed = makeTestCertificates(path.resolve(process.argv[2] ?? path.join('.test-results', 'certs')));
  if (failed) console.error(`test-certs: ${failed}`);
  process.exit(failed ? 1 : 0);
}
