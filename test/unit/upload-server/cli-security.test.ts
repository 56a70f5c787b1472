// bits serve-uploads as an operator would expose it: a non-loopback address is
// refused without TLS and a users file (unless --insecure), with the reason; a
// users-file line made with --hash-password from stdin; and Basic over TLS
// end to end, with the credentials in none of the command's output.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { PROTOCOL } from '../../support/bits-client.js';
import { runCli } from '../../support/cli-child.js';
import { SERVER_CERT, SERVER_KEY } from '../../support/tls-certs.js';
import { tlsPacket } from '../../support/tls-client.js';
import type { TlsAnswer } from '../../support/tls-client.js';
import { tempDir, until } from '../../support/upload-fixture.js';

const dir = tempDir();
const files = path.join(dir, '.config');
const PASSWORD = 'tr0ub4dor&3 with spaces';
beforeAll(() => {
  mkdirSync(files);
  writeFileSync(path.join(files, 'cert.pem'), SERVER_CERT);
  writeFileSync(path.join(files, 'key.pem'), SERVER_KEY);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const f = (name: string): string => path.join(files, name);

describe('bits serve-uploads, exposed', () => {
  test('a non-loopback --host without TLS and users is refused, saying why; --insecure allows it', async () => {
    const bare = runCli(['serve-uploads', dir, '--host', '0.0.0.0', '--port', '0']);
    expect(await bare.exit).toBe(2);
    const text = bare.stderr.join('\n');
    expect(text).toContain('--host 0.0.0.0 can be reached from other machines');
    expect(text).toContain('TLS (--tls-cert and --tls-key) and authentication (--users FILE)');
    expect(text).toContain('--insecure');

    const tlsOnly = runCli(['serve-uploads', dir, '--host', '0.0.0.0', '--port', '0', '--tls-cert', f('cert.pem'), '--tls-key', f('key.pem')]);
    expect(await tlsOnly.exit).toBe(2);
    expect(tlsOnly.stderr.join('\n')).toContain('no authentication (--users FILE)');

    const halfTls = runCli(['serve-uploads', dir, '--tls-cert', f('cert.pem')]);
    expect(await halfTls.exit).toBe(2);
    expect(halfTls.stderr.join('\n')).toContain('--tls-cert and --tls-key go together');

    const insecure = runCli(['serve-uploads', dir, '--host', '0.0.0.0', '--port', '0', '--insecure', '--json']);
    await until(() => insecure.stdout.length > 0, 'the listening line');
    expect(JSON.parse(insecure.stdout[0]!)).toMatchObject({ type: 'listening', authentication: 'none' });
    expect((JSON.parse(insecure.stdout[0]!) as { url: string }).url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
    insecure.child.kill();
    await insecure.exit;
  }, 60_000);

  test('--hash-password reads stdin, and Basic over TLS then works end to end without the password in any output', async () => {
    const hashed = runCli(['serve-uploads', '--hash-password', 'alice'], `${PASSWORD}\n`);
    expect(await hashed.exit).toBe(0);
    expect(hashed.stdout).toHaveLength(1);
    expect(hashed.stdout[0]).toMatch(/^alice:\$scrypt\$ln=15,r=8,p=1\$\S+\$\S+$/);
    writeFileSync(f('users.txt'), `# made by bits serve-uploads --hash-password\n${hashed.stdout[0]}\n`);

    const run = runCli(['serve-uploads', dir, '--host', '0.0.0.0', '--port', '0', '--tls-cert', f('cert.pem'), '--tls-key', f('key.pem'), '--users', f('users.txt'), '--json']);
    await until(() => run.stdout.length > 0, 'the listening line', 20_000);
    const listening = JSON.parse(run.stdout[0]!) as { url: string; authentication: string };
    expect(listening.authentication).toBe('basic');
    const port = Number(/^https:\/\/0\.0\.0\.0:(\d+)\/$/.exec(listening.url)?.[1]);
    const send = (auth: string | null, headers: Record<string, string>, body?: Buffer): Promise<TlsAnswer> => tlsPacket(port, '/cli-tls.bin', headers, body, { authorization: auth });
    const create = { 'BITS-Packet-Type': 'Create-Session', 'BITS-Supported-Protocols': PROTOCOL };
    // RFC 7617 2: a request without credentials is answered 401 with the Basic challenge.
    const challenged = await send(null, create);
    expect(challenged.status).toBe(401);
    expect(challenged.headers['www-authenticate']).toBe('Basic realm="bits serve-uploads", charset="UTF-8"');
    const wrong = `Basic ${Buffer.from('alice:nope').toString('base64')}`;
    expect((await send(wrong, create)).status).toBe(401);
    const auth = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`;
    const created = await send(auth, create);
    expect(created.status).toBe(200);
    const id = String(created.headers['bits-session-id']);
    const content = Buffer.from('through the CLI over TLS');
    expect((await send(auth, { 'BITS-Packet-Type': 'Fragment', 'BITS-Session-Id': id, 'Content-Range': `bytes 0-${content.length - 1}/${content.length}` }, content)).status).toBe(200);
    expect((await send(auth, { 'BITS-Packet-Type': 'Close-Session', 'BITS-Session-Id': id })).status).toBe(200);
    await until(() => run.stdout.some((l) => l.includes('"upload-finished"')), 'the finished upload');
    expect(run.stdout.find((l) => l.includes('"upload-finished"'))).toContain('"principal":"alice"');
    run.child.kill();
    await run.exit;
    const output = [...hashed.stdout, ...hashed.stderr, ...run.stdout, ...run.stderr].join('\n');
    for (const secret of [PASSWORD, auth.slice(6), wrong.slice(6), 'nope']) expect(output).not.toContain(secret);
  }, 90_000);
});
