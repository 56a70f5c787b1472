// The certificates the integration suite hands to the certificate validator
// (test/integration/validation.test.ts): a CA and a leaf it signed, made with
// openssl on the host before the suite starts, because Windows Node under Wine
// cannot run the host's openssl. DER files: ca.der, leaf.der; PEM for a TLS server:
// leaf.pem, leaf.key, ca.pem.
// Returns null on success, else what went wrong.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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
  mkdirSync(dir, { recursive: true });
  const f = (name) => path.join(dir, name);
  writeFileSync(f('openssl.cnf'), OPENSSL_CONFIG);
  // The names a client checks the leaf against: the integration suite's HTTPS server is https://localhost:<port>/.
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
