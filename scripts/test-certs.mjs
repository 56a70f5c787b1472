// The certificates the integration suite hands to the certificate validator
// (test/integration/validation.test.ts): a CA and a leaf it signed, made with
// openssl on the host before the suite starts, because Windows Node under Wine
// cannot run the host's openssl. DER files: ca.der, leaf.der.
// Returns null on success, else what went wrong.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export function makeTestCertificates(dir) {
  mkdirSync(dir, { recursive: true });
  const f = (name) => path.join(dir, name);
  const steps = [
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=windows-bits test CA'],
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=localhost'],
    ['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('leaf.pem'), '-days', '2'],
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
