// A fragment whose bytes cannot be written (here: EFBIG, from a server process
// under `ulimit -f`, the file size limit) gets an error Ack, not a reset
// connection: the body is read to its end, the ack carries the error code and
// the offset acked so far, onEvent hears `refused`, and nothing acked before is
// lost. Tried with the fragment sizes a client sends: 64 KiB, 4 MiB and the
// 13 MiB Windows uses.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { BitsClient } from '../../support/bits-client.js';
import { compiledModule } from '../../support/compiled-child.js';
import { tempDir, until } from '../../support/upload-fixture.js';

const LIMIT_KIB = 5 * 1024; // `ulimit -f` counts 1024-byte blocks: files stop at 5 MiB

let child: ChildProcess;
let client: BitsClient;
let agent: Agent;
let dir: string;
const events: { type: string; code?: string; sessionId?: string }[] = [];

const CHILD = `
const { createUploadServer } = await import(process.argv[1]);
const server = createUploadServer({ directory: process.argv[2], onEvent: (e) => process.stdout.write(JSON.stringify(e) + '\\n') });
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
`;

beforeAll(async () => {
  dir = tempDir();
  const entry = compiledModule('upload-server', 'index.js');
  child = spawn('bash', ['-c', `ulimit -f ${LIMIT_KIB} && exec "$0" --input-type=module -e "$1" "$2" "$3"`, process.execPath, CHILD, entry, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { port?: number; type?: string };
      if (msg.port) resolve(msg.port);
      else events.push(msg as { type: string });
    });
  });
  // One keep-alive connection, as BITS uses: it must still work after the error ack.
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
  client = new BitsClient(`http://127.0.0.1:${port}`, { agent });
}, 120_000);

afterAll(() => {
  agent.destroy();
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('write errors on fragments of any size', () => {
  test.each([
    ['64 KiB', 64 * 1024],
    ['4 MiB', 4 << 20],
    ['13 MiB', 13 << 20],
  ])('%s fragments past the file size limit: an error Ack with the code and the acked offset; acked bytes kept', { timeout: 60_000 }, async (label, size) => {
    const content = randomBytes(Math.max(6 << 20, size));
    const url = `/${label.replace(' ', '')}.bin`;
    const id = await client.create(url);
    let acked = 0;
    let refused;
    while (acked < content.length) {
      const a = await client.fragment(url, id, acked, content.subarray(acked, acked + size), content.length);
      if (a.status !== 200) {
        refused = a;
        break;
      }
      acked = Number(a.headers['bits-received-content-range']);
    }
    expect(acked).toBe(Math.floor((LIMIT_KIB * 1024) / size) * size); // every fragment that fit was acked
    expect(refused?.headers['bits-packet-type']).toBe('Ack');
    // EFBIG as HRESULT_FROM_WIN32(ERROR_FILE_TOO_LARGE); 400 because the limit stays (a 5xx would
    // have BITS retry the same fragment forever). [MC-BUP] 2.2.1.2: the error headers on an error.
    expect([refused?.status, refused?.headers['bits-error-code'], refused?.headers['bits-error-context']]).toEqual([400, '0x800700DF', '0x5']);
    // [MC-BUP] 2.2.7.2: BITS-Received-Content-Range MUST be included in every Ack for Fragment.
    expect(refused?.headers['bits-received-content-range']).toBe(String(acked));
    expect(refused?.headers['bits-session-id']).toBe(id);
    await until(() => events.some((e) => e.type === 'refused' && e.sessionId === id && e.code === '0x800700DF'), 'the refused event');
    // Nothing acked is lost: the session's data holds every acked byte.
    const data = readFileSync(path.join(dir, '.bits-sessions', id.slice(1, -1), 'data'));
    expect(data.subarray(0, acked).equals(content.subarray(0, acked))).toBe(true);
    // The connection carries on (the body was read, not left in the stream).
    expect((await client.ping(url)).status).toBe(200);
    expect((await client.cancel(url, id)).status).toBe(200);
    expect(readdirSync(dir).filter((f) => f !== '.bits-sessions')).toEqual([]);
  });
});
