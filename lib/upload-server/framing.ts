// The request-line rewriter behind acceptBitsPost, as a pure byte transformer so
// it can be tested (and fuzzed) without sockets. It reads a client's byte stream
// as HTTP/1.1 requests (RFC 9112): a head up to the blank line, then a body framed
// by Content-Length or by the chunked coding. In each head it rewrites the method
// BITS_POST to POST, adds `X-Bits-Method: BITS_POST`, and removes any copy of that
// header a client sent (so a plain POST cannot pose as BITS_POST). Bodies pass
// through as the same Buffers, never copied or gathered.
//
// The rewriter and Node's parser must agree on where every request starts, or a
// body could smuggle a forged head past one of them. So the rewriter accepts only
// framing it reads exactly as Node's parser (llhttp, strict mode) does: anything
// else (a bad or repeated length, a transfer coding other than chunked, a folded or
// malformed header line, a bare CR or LF, a head or line past the size limit) makes
// it stop for good, and the connection is closed. The one hand-over is an upgrade
// that Node's server takes: CONNECT (Node hands the connection to a 'connect'
// listener or ends it), or `Upgrade` with `Connection: upgrade` while the server has
// an 'upgrade' listener. Node's parser then stops reading the connection, and the
// bytes after it pass through untouched. Without an 'upgrade' listener Node reads
// such a request as an ordinary one and carries on parsing, and so does the framer.
// Each request's last byte ends a Buffer of the output: after an upgrade request
// without a listener Node drops the rest of the Buffer it was parsing.

const CR = 0x0d;
const LF = 0x0a;
const TCHAR = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex -- control characters are what a request line must not hold
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([^\x00-\x20\x7f]+) HTTP\/1\.([01])$/;
/** Field values: visible characters, obs-text, spaces and tabs; no other control character. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
const MARKER = 'X-Bits-Method: BITS_POST';

/** Slack over Node's maxHeaderSize: Node counts the header bytes a little differently, and answers 431 itself in between. */
export const HEAD_SLACK = 1024;

type State =
  | { kind: 'head' }
  | { kind: 'body'; left: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'chunk-end'; seen: number }
  | { kind: 'trailers' }
  | { kind: 'upgraded' }
  | { kind: 'failed' };

/** The framing of one request, as read from its head. */
interface Head {
  bytes: Buffer;
  framing: State;
}

/** Bytes of a head or line being gathered, with how much of its terminator has been seen. */
class Gather {
  parts: Buffer[] = [];
  length = 0;
  /** Bytes of the terminator matched at the end of `parts`. */
  matched = 0;
  /** A head may begin with empty lines (RFC 9112 2.2); the blank line only counts after them. */
  lead = false;

  reset(matched: number, lead: boolean): void {
    this.parts = [];
    this.length = 0;
    this.matched = matched;
    this.lead = lead;
  }

  take(): Buffer {
    const all = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.length);
    this.reset(0, false);
    return all;
  }
}

/** Rewrites BITS_POST request heads in a stream of HTTP/1.1 requests. */
export class BitsRequestFramer {
  #state: State = { kind: 'head' };
  readonly #gather = new Gather();
  readonly #limit: number;
  readonly #upgrades: () => boolean;
  #error: string | null = null;
  #scanned = 0;

  /**
   * @param maxHeaderSize the HTTP server's maxHeaderSize: a head or line longer than it (plus {@link HEAD_SLACK}) stops the framer.
   * @param upgrades whether the server now has an 'upgrade' listener (Node asks the same when a head ends).
   */
  constructor(maxHeaderSize = 16 * 1024, upgrades: () => boolean = () => false) {
    this.#limit = maxHeaderSize + HEAD_SLACK;
    this.#upgrades = upgrades;
    this.#gather.reset(0, true);
  }

  /** Why the framer stopped (the connection must then be closed), or null while it reads the stream. */
  get error(): string | null {
    return this.#error;
  }

  /** Bytes examined one by one so far (head and line bytes; body bytes are only counted off). */
  get scanned(): number {
    return this.#scanned;
  }

  /** Takes the next bytes from the client; returns what the HTTP parser should see. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let data = chunk;
    while (data.length > 0) {
      const s = this.#state;
      if (s.kind === 'failed') return out;
      if (s.kind === 'upgraded') {
        out.push(data);
        break;
      }
      if (s.kind === 'body' || s.kind === 'chunk-data') {
        const n = Math.min(s.left, data.length);
        out.push(data.subarray(0, n));
        data = data.subarray(n);
        s.left -= n;
        if (s.left === 0 && s.kind === 'body') {
          this.#state = { kind: 'head' };
          this.#gather.reset(0, true);
        } else if (s.left === 0) this.#state = { kind: 'chunk-end', seen: 0 };
        continue;
      }
      if (s.kind === 'chunk-end') {
        // The CRLF after a chunk's data, exactly.
        const want = s.seen === 0 ? CR : LF;
        if (data[0] !== want) return this.#fail(out, 'a chunk is not followed by CRLF');
        out.push(data.subarray(0, 1));
        data = data.subarray(1);
        this.#scanned++;
        if (++s.seen === 2) this.#state = { kind: 'chunk-size' };
        continue;
      }
      // head, chunk-size, trailers: gather up to the terminator, scanning only bytes not seen before.
      const end = this.#scan(data, s.kind === 'chunk-size' ? 2 : 4);
      if (end < 0) {
        // Only bytes scanned are gathered: past the limit, the rest is never looked at.
        const scannedPart = data.subarray(0, Math.min(data.length, this.#limit + 1 - this.#gather.length));
        this.#gather.parts.push(scannedPart);
        this.#gather.length += scannedPart.length;
        if (this.#gather.length > this.#limit) return this.#overflow(out, s.kind === 'head');
        break;
      }
      this.#gather.parts.push(data.subarray(0, end));
      this.#gather.length += end;
      data = data.subarray(end);
      if (this.#gather.length > this.#limit) return this.#overflow(out, s.kind === 'head');
      const bytes = this.#gather.take();
      if (s.kind === 'head') {
        const head = parseHead(bytes, this.#upgrades);
        if (typeof head === 'string') return this.#fail(out, head);
        out.push(head.bytes);
        this.#state = head.framing;
        if (head.framing.kind === 'head') this.#gather.reset(0, true);
      } else if (s.kind === 'trailers') {
        // Either the blank line alone, or trailer fields and then the blank line.
        if (bytes.length > 2 && !fieldsValid(bytes.toString('latin1', 0, bytes.length - 4))) return this.#fail(out, 'a malformed trailer field');
        out.push(bytes);
        this.#state = { kind: 'head' };
        this.#gather.reset(0, true);
      } else {
        const size = chunkSize(bytes.toString('latin1', 0, bytes.length - 2));
        if (size === null) return this.#fail(out, 'a malformed chunk size');
        out.push(bytes);
        // The trailer section ends at the blank line, whose first CRLF was the last chunk's.
        if (size === 0) this.#state = { kind: 'trailers' };
        else this.#state = { kind: 'chunk-data', left: size };
        if (size === 0) this.#gather.reset(2, false);
      }
    }
    return out;
  }

  /** Whatever an unfinished head or line held when the client ended the connection. */
  flush(): Buffer[] {
    if (this.#error !== null || this.#gather.length === 0) return [];
    return [this.#gather.take()];
  }

  /**
   * A head or line past the limit. A head's bytes go to Node first when they hold
   * no bare LF: with no blank line in them they cannot end a request, and Node
   * answers its own 431 (Request Header Fields Too Large) before the connection closes.
   * A BITS_POST request line becomes POST, so that Node gets as far as counting.
   */
  #overflow(out: Buffer[], head: boolean): Buffer[] {
    const text = this.#gather.take().toString('latin1');
    // Node's parser refuses the method BITS_POST with 400 before it counts the header bytes.
    if (head && !/(?<!\r)\n/.test(text)) out.push(Buffer.from(text.replace(/^((?:\r\n)*)BITS_POST /, '$1POST '), 'latin1'));
    return this.#fail(out, `a request head or chunk line is over ${this.#limit} bytes`);
  }

  #fail(out: Buffer[], why: string): Buffer[] {
    this.#error = why;
    this.#state = { kind: 'failed' };
    this.#gather.reset(0, false);
    return out;
  }

  /**
   * Looks for the terminator (CRLF when `size` is 2, CRLFCRLF when 4) in `data`,
   * continuing the match left at the end of the bytes gathered before. Returns the
   * index just past it, or -1. Stops scanning at the size limit.
   */
  #scan(data: Buffer, size: 2 | 4): number {
    const g = this.#gather;
    const stop = Math.min(data.length, this.#limit + 1 - g.length);
    let m = g.matched;
    let i = 0;
    if (g.lead) {
      // Empty lines before a request line are skipped; parseHead checks they are CRLF or LF.
      while (i < stop && (data[i] === CR || data[i] === LF)) i++;
      if (i < stop) g.lead = false;
      m = 0;
    }
    for (; i < stop; i++) {
      const b = data[i];
      if (b === CR) m = m === 2 ? 3 : 1;
      else if (b === LF && (m === 1 || m === 3)) {
        m++;
        if (m >= size) {
          this.#scanned += i + 1;
          return i + 1;
        }
      } else m = 0;
    }
    this.#scanned += stop;
    g.matched = m;
    return -1;
  }
}

/** A chunk-size line (without its CRLF): hex digits, then optional extensions. Null if malformed. */
function chunkSize(line: string): number | null {
  // eslint-disable-next-line no-control-regex -- extensions may not hold control characters
  const m = /^([0-9a-fA-F]+)((?:;[^\x00-\x08\x0a-\x1f\x7f]*)?)$/.exec(line);
  if (!m?.[1]) return null;
  const digits = m[1].replace(/^0+(?=.)/, '');
  // 13 hex digits are 2^52: every size up to it is a safe integer.
  if (digits.length > 13) return null;
  return parseInt(digits, 16);
}

/** Field lines "name: value", one per CRLF-ended line; no folding, no control characters. */
function fieldsValid(text: string): boolean {
  if (text === '') return true;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0 || !TCHAR.test(line.slice(0, colon)) || BAD_VALUE.test(line.slice(colon + 1))) return false;
  }
  return true;
}

/** Reads one complete head (ending with the blank line); returns it rewritten with its body's framing, or why it was refused. */
function parseHead(head: Buffer, upgrades: () => boolean): Head | string {
  const text = head.toString('latin1');
  const lead = /^(\r?\n)*/.exec(text)?.[0] ?? '';
  const body = text.slice(lead.length, -4);
  if (/\r(?!\n)|(?<!\r)\n/.test(body)) return 'a bare CR or LF in a request head';
  const lines = body.split('\r\n');
  const requestLine = lines[0] ?? '';
  const request = REQUEST_LINE.exec(requestLine);
  if (!request) return 'a malformed request line';
  const method = request[1] as string;
  const isBitsPost = method === 'BITS_POST';
  let lengths = 0;
  let length = 0;
  let codings = 0;
  let chunked = false;
  let upgradeHeader = false;
  let connectionUpgrade = false;
  let dropped = false;
  const kept: string[] = [isBitsPost ? `POST ${requestLine.slice('BITS_POST '.length)}` : requestLine];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TCHAR.test(name)) return 'a malformed header line';
    const raw = line.slice(colon + 1);
    if (BAD_VALUE.test(raw)) return 'a control character in a header value';
    const value = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    const lower = name.toLowerCase();
    if (lower === 'x-bits-method') {
      dropped = true;
      continue;
    }
    kept.push(line);
    if (lower === 'content-length') {
      lengths++;
      if (!/^\d{1,15}$/.test(value)) return 'a malformed Content-Length';
      length = Number(value);
    } else if (lower === 'transfer-encoding') {
      codings++;
      chunked = value.toLowerCase() === 'chunked';
      if (!chunked) return 'a transfer coding other than chunked';
    } else if (lower === 'upgrade') upgradeHeader ||= value !== '';
    else if (lower === 'connection') connectionUpgrade ||= /^[!#$%&'*+.^_`|~0-9A-Za-z-]+( *, *[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/.test(value) && value.split(',').some((t) => t.trim().toLowerCase() === 'upgrade');
  }
  if (lengths > 1 || codings > 1 || (lengths > 0 && codings > 0)) return 'a repeated or conflicting body length';
  if (chunked && request[3] === '0') return 'the chunked coding in an HTTP/1.0 request';
  let framing: State;
  // Node's parser stops reading the connection after these (it hands it to an
  // 'upgrade' or 'connect' listener, or ends it): what follows is not HTTP. Only
  // HTTP/1.1 counts, so that the framer never sees an upgrade Node does not.
  if (method === 'CONNECT' || (upgradeHeader && connectionUpgrade && request[3] === '1' && upgrades())) framing = { kind: 'upgraded' };
  else if (chunked) framing = { kind: 'chunk-size' };
  else if (length > 0) framing = { kind: 'body', left: length };
  else framing = { kind: 'head' };
  if (isBitsPost) kept.push(MARKER);
  if (!isBitsPost && !dropped) return { bytes: head, framing };
  return { bytes: Buffer.from(`${lead}${kept.join('\r\n')}\r\n\r\n`, 'latin1'), framing };
}
