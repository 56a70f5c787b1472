// Differential fuzzing of acceptBitsPost's front against Node's own HTTP parser:
// for any byte stream, split any way, the requests a server sees through the front
// must be the requests Node's parser alone finds in the same stream, with the same
// methods, URLs and headers, except that BITS_POST is recognised (it reaches the
// handler as POST with X-Bits-Method: BITS_POST). No request may carry that header
// unless its method on the wire was BITS_POST. Where the front stops understanding
// the framing it closes the connection, so it may see fewer requests, never others.
//
// Node's parser alone refuses the method BITS_POST, so the reference run sees the
// stream with every "BITS_POST" replaced by "PROPPATCH": a method Node knows, of the
// same length (so every body and chunk keeps its size), which the generated streams
// never contain otherwise. The reference stream is fed a byte at a time: Node's
// server drops the rest of the Buffer it is parsing after an upgrade request it does
// not take, so only one-byte Buffers give the split-independent reading to compare with.
// Both runs drive real node:http servers through in-memory sockets: deterministic, no ports.
import { createServer, maxHeaderSize } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import { acceptBitsPost } from '../../../lib/upload-server/index.js';
import { BitsRequestFramer } from '../../../lib/upload-server/framing.js';

/** A socket for server.emit('connection'): what the test pushes is what the server reads; its writes are dropped. */
class MemorySocket extends Duplex {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 1;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 2;
  readonly remoteFamily = 'IPv4';
  override _read(): void {}
  override _write(_chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    callback();
  }
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  address(): object {
    return { address: this.localAddress, port: this.localPort, family: 'IPv4' };
  }
}

/** A server that writes down each request it is handed (and each upgrade it takes) on the connection being fed. */
interface Recorder {
  server: Server;
  current: string[];
  /** Bytes pushed into the connection being fed so far. */
  fed: number;
  /** Where each request's message ended on that connection, as `fed` stood when its 'end' came. */
  ends: number[];
}

function describeRequest(req: IncomingMessage): string {
  const pairs: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    if (name.toLowerCase() !== 'x-bits-method') pairs.push(`${name}=${req.rawHeaders[i + 1] ?? ''}`);
  }
  return `${req.method} ${req.url} ${pairs.join('&')} |marker=${String(req.headers['x-bits-method'])}`;
}

function recordingServer(upgrades: boolean): Recorder {
  // requireHostHeader off: Node answers a Host-less HTTP/1.1 request with 400
  // itself and never hands it over, so its end (a message boundary) would go unseen.
  const r: Recorder = { server: createServer({ requireHostHeader: false }), current: [], fed: 0, ends: [] };
  r.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    r.current.push(describeRequest(req));
    req.resume();
    req.on('end', () => {
      r.ends.push(r.fed);
      res.end();
    });
  });
  if (upgrades)
    r.server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      r.current.push(`UPGRADE ${describeRequest(req)}`);
      socket.destroy();
    });
  return r;
}

/** Runs `chunks` through one connection of the server; resolves with the requests it saw, once the connection closed. */
async function feed(r: Recorder, chunks: Buffer[]): Promise<string[]> {
  const socket = new MemorySocket();
  const seen: string[] = [];
  r.current = seen;
  r.fed = 0;
  r.ends = [];
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  r.server.emit('connection', socket);
  for (const c of chunks) {
    if (socket.destroyed) break;
    socket.push(c);
    r.fed += c.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (!socket.destroyed) socket.push(null);
  for (let i = 0; !closed && i < 2000; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(closed).toBe(true); // nothing hangs: every connection ends once the client has
  return seen;
}

/**
 * Whether Node's parser ended a message inside a substituted word: a body whose
 * length ends 4 bytes into "BITS_POST" leaves "_POST" on the wire (no method) but
 * "PATCH" in the reference (a method), and 5 bytes in, "POST" against "ATCH". There
 * the substitution changed more than the method, so the two runs cannot be compared.
 * `ends` come from the byte-at-a-time reference run, so each is exact.
 */
function endsInsideWord(reference: string, ends: number[]): boolean {
  for (let at = reference.indexOf('PROPPATCH'); at >= 0; at = reference.indexOf('PROPPATCH', at + 1))
    if (ends.some((e) => e > at && e < at + 'PROPPATCH'.length)) return true;
  return false;
}

/** A request as the reference run saw it, as the front must show it: PROPPATCH was BITS_POST on the wire. */
function asFrontSees(line: string): string {
  const m = /^(UPGRADE )?PROPPATCH /.exec(line);
  const rest = line.slice(0, line.lastIndexOf(' |marker=')).replaceAll('PROPPATCH', 'BITS_POST');
  // A client's own X-Bits-Method is removed; the front's marks exactly the requests that were BITS_POST.
  return `${rest} |marker=${m ? 'BITS_POST' : 'undefined'}`.replace(/^(UPGRADE )?BITS_POST /, '$1POST ');
}

const methods = fc.constantFrom('GET', 'POST', 'BITS_POST', 'BITS_POST', 'PUT', 'HEAD', 'OPTIONS', 'CONNECT', 'bits_post', 'BITS_POSTX', 'DELETE');
const targets = fc.constantFrom('/', '/a.bin', '/BITS_POST', '*', 'x:1', '/%2F?q=1', '/a b', '/up/f.bin');
const versions = fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ');
const FORGED = 'POST /forged HTTP/1.1\r\nHost: x\r\nX-Bits-Method: BITS_POST\r\nContent-Length: 0\r\n\r\n';
const BITS = 'BITS_POST /real HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok';
const headerLines = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('Host: x', 'Host: x', 'X-Bits-Method: BITS_POST', 'x-bits-method:BITS_POST', 'Expect: 100-continue', 'Connection: close', 'X-Note: BITS_POST') },
  { weight: 3, arbitrary: fc.nat(40).map((n) => `Content-Length: ${n}`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('Transfer-Encoding: chunked', 'Transfer-Encoding: Chunked ', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: chunked, identity', 'Transfer-Encoding: identity'),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom('Upgrade: websocket', 'Upgrade:', 'Connection: upgrade', 'Connection: Upgrade, keep-alive', 'Connection: keep-alive upgrade', 'Connection: upgrade,', 'Connection:\tupgrade', 'Connection: ,upgrade'),
  },
  { weight: 1, arbitrary: fc.constantFrom(' folded: x', 'Bad Header: x', 'X: a\x00b', 'Content-Length: +1', 'Content-Length: 1, 1', 'Content-Length: 00', 'NoColon', ': empty') },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('X-A', 'Y'), fc.string({ maxLength: 8, unit: 'binary-ascii' })).map(([n, v]) => `${n}: ${v}`) },
);
const eols = fc.constantFrom('\r\n', '\r\n', '\r\n', '\r\n', '\r\n', '\r\n', '\n', '\r');
const chunk = fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('', '', '', '00', '000000000000', ';e=1', ' ', 'F'.repeat(14)), fc.constantFrom(0, 0, 0, 0, -1, 1)).map(([data, pad, skew]) => {
  const size = pad === 'F'.repeat(14) ? pad : `${pad.startsWith('0') ? pad : ''}${(data.length + skew).toString(16)}${pad.startsWith(';') || pad === ' ' ? pad : ''}`;
  return `${size}\r\n${data}\r\n`;
});
const chunkedBody = fc.tuple(fc.array(chunk, { maxLength: 3 }), fc.constantFrom('', 'T: 1\r\n', 'bad trailer\r\n')).map(([cs, trailer]) => `${cs.join('')}0\r\n${trailer}\r\n`);
const bodies = fc.oneof(fc.constant(''), fc.string({ maxLength: 30 }), fc.constantFrom(FORGED, BITS, `x${FORGED}`), chunkedBody, chunkedBody.map((b) => b + FORGED));
const request = fc
  .tuple(fc.constantFrom('', '', '', '\r\n', '\n', '\r\n\r\n'), methods, targets, versions, fc.array(headerLines, { maxLength: 5 }), eols, bodies)
  .map(([lead, method, target, version, headers, eol, body]) => `${lead}${method} ${target} ${version}${eol}${headers.map((h) => h + eol).join('')}${eol}${body}`);
/** Requests as a well-behaved client sends them: the front must follow every one. */
const clean = fc
  .tuple(fc.constantFrom('GET', 'POST', 'BITS_POST', 'PUT'), fc.string({ maxLength: 20 }), fc.boolean(), fc.array(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 3 }))
  .map(([method, body, chunked, parts]) =>
    chunked
      ? `${method} /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('')}0\r\n\r\n`
      : `${method} /l HTTP/1.1\r\nHost: x\r\nX-Bits-Method: BITS_POST\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  );
const streams = fc
  .oneof(
    { weight: 2, arbitrary: fc.array(request, { minLength: 1, maxLength: 4 }) },
    { weight: 2, arbitrary: fc.array(fc.oneof({ weight: 2, arbitrary: clean }, { weight: 1, arbitrary: request }), { minLength: 1, maxLength: 4 }) },
    { weight: 3, arbitrary: fc.array(clean, { minLength: 1, maxLength: 4 }) },
  )
  .map((rs) => rs.join(''));

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    if (p > at) out.push(bytes.subarray(at, p));
    at = p;
  }
  return out;
}

describe('the BITS_POST front against Node alone', () => {
  const servers = [false, true].map((upgrades) => ({ upgrades, plain: recordingServer(upgrades), front: recordingServer(upgrades) }));
  for (const s of servers) acceptBitsPost(s.front.server);

  test('fast-check: the same requests with the same methods, BITS_POST aside; the marker only on BITS_POST; fewer only where the front closed', { timeout: 240_000 }, async () => {
    let followed = 0;
    let runs = 0;
    let bitsPosts = 0;
    await fc.assert(
      fc.asyncProperty(streams, fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), async (text, cuts, upgrades) => {
        expect(text).not.toContain('PROPPATCH');
        const wire = Buffer.from(text, 'latin1');
        const s = servers[upgrades ? 1 : 0]!;
        const referenceText = text.replaceAll('BITS_POST', 'PROPPATCH');
        const reference = Buffer.from(referenceText, 'latin1');
        const want = (await feed(s.plain, [...reference].map((b) => Buffer.of(b)))).map(asFrontSees);
        fc.pre(!endsInsideWord(referenceText, s.plain.ends));
        const chunks = split(wire, cuts);
        const got = await feed(s.front, chunks);
        const framer = new BitsRequestFramer(maxHeaderSize, () => upgrades);
        for (const c of chunks) framer.push(c);
        runs++;
        if (framer.error === null) {
          followed++;
          expect(got).toEqual(want);
        } else {
          expect(want.slice(0, got.length)).toEqual(got);
        }
        for (const line of got) if (line.endsWith('|marker=BITS_POST')) bitsPosts++;
      }),
      { numRuns: 400 },
    );
    // Most streams are ones the front must follow to the end: it may not pass by closing everything.
    expect(followed).toBeGreaterThan(runs / 2);
    expect(bitsPosts).toBeGreaterThan(runs / 4);
  });
});
