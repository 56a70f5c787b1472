// The request-line rewriter behind acceptBitsPost, as a pure byte transformer so
// it can be tested (and fuzzed) without sockets. It reads a client's byte stream
// as HTTP/1.1 requests: a head up to the blank line, then a body framed by
// Content-Length or by the chunked coding. In each head it rewrites the method
// BITS_POST to POST, adds `X-Bits-Method: BITS_POST`, and removes any copy of that
// header a client sent (so a plain POST cannot pose as BITS_POST). Bodies pass
// through as the same Buffers, never copied or gathered. Anything it cannot frame
// (an oversized head, a bad length, an Upgrade) switches the connection to plain
// pass-through: Node's own parser then answers it as it would have anyway.

const CRLF2 = Buffer.from('\r\n\r\n');
/** Larger than Node's default --max-http-header-size (16 KiB): Node refuses first. */
const MAX_HEAD = 64 * 1024;

type State =
  | { kind: 'head' }
  | { kind: 'body'; left: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'trailers' }
  | { kind: 'pass' };

/** Rewrites BITS_POST request heads in a stream of HTTP/1.1 requests. */
export class BitsRequestFramer {
  #state: State = { kind: 'head' };
  /** Bytes of an unfinished head or chunk-size/trailer line. */
  #pending: Buffer = Buffer.alloc(0);

  /** Takes the next bytes from the client; returns what the HTTP parser should see. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = Buffer.alloc(0);
    while (data.length > 0) {
      const s = this.#state;
      if (s.kind === 'pass') {
        out.push(data);
        break;
      }
      if (s.kind === 'body' || s.kind === 'chunk-data') {
        const n = Math.min(s.left, data.length);
        out.push(data.subarray(0, n));
        data = data.subarray(n);
        s.left -= n;
        if (s.left === 0) this.#state = s.kind === 'body' ? { kind: 'head' } : { kind: 'chunk-size' };
        continue;
      }
      if (s.kind === 'head') {
        const end = data.indexOf(CRLF2);
        if (end < 0) {
          if (data.length > MAX_HEAD) this.#state = { kind: 'pass' };
          else this.#pending = data;
          if (data.length > MAX_HEAD) out.push(data);
          break;
        }
        out.push(this.#head(data.subarray(0, end + 4)));
        data = data.subarray(end + 4);
        continue;
      }
      // chunk-size and trailers are lines; a chunk-data's CRLF is read as part of the next size line.
      const eol = data.indexOf('\n');
      if (eol < 0) {
        if (data.length > MAX_HEAD) {
          this.#state = { kind: 'pass' };
          out.push(data);
        } else this.#pending = data;
        break;
      }
      const line = data.subarray(0, eol + 1);
      out.push(line);
      data = data.subarray(eol + 1);
      const text = line.toString('latin1').trim();
      if (s.kind === 'trailers') {
        if (text === '') this.#state = { kind: 'head' };
        continue;
      }
      if (text === '') continue; // the CRLF after a chunk's data
      const size = /^([0-9a-fA-F]{1,12})(;.*)?$/.exec(text);
      if (!size?.[1]) this.#state = { kind: 'pass' };
      else {
        const n = parseInt(size[1], 16);
        this.#state = n === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', left: n };
      }
    }
    return out;
  }

  /** Whatever an unfinished head held when the client ended the connection. */
  flush(): Buffer[] {
    const rest = this.#pending;
    this.#pending = Buffer.alloc(0);
    return rest.length > 0 ? [rest] : [];
  }

  /** Rewrites one complete head (ending with the blank line) and sets the body's framing. */
  #head(head: Buffer): Buffer {
    const text = head.toString('latin1');
    // Empty lines before a request line are allowed (RFC 9112 2.2); keep them.
    const lead = /^(\r\n)*/.exec(text)?.[0] ?? '';
    const lines = text.slice(lead.length, -4).split('\r\n');
    const requestLine = lines[0] ?? '';
    const isBitsPost = requestLine.startsWith('BITS_POST ');
    let length: number | null = 0;
    let chunked = false;
    let upgrade = false;
    let lengths = 0;
    const kept: string[] = [isBitsPost ? `POST ${requestLine.slice('BITS_POST '.length)}` : requestLine];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = (colon < 0 ? line : line.slice(0, colon)).trim().toLowerCase();
      const value = colon < 0 ? '' : line.slice(colon + 1).trim();
      if (name === 'x-bits-method') continue;
      kept.push(line);
      if (name === 'content-length') {
        lengths++;
        length = /^\d{1,15}$/.test(value) ? Number(value) : null;
      } else if (name === 'transfer-encoding') chunked = /(^|,)\s*chunked\s*$/i.test(value);
      else if (name === 'upgrade') upgrade = true;
    }
    if (isBitsPost) kept.push('X-Bits-Method: BITS_POST');
    if (upgrade || requestLine.startsWith('CONNECT ')) this.#state = { kind: 'pass' };
    else if (chunked) this.#state = { kind: 'chunk-size' };
    else if (length === null || lengths > 1) this.#state = { kind: 'pass' };
    else if (length > 0) this.#state = { kind: 'body', left: length };
    const rewritten = `${lead}${kept.join('\r\n')}\r\n\r\n`;
    if (!isBitsPost && rewritten.length === text.length) return head;
    return Buffer.from(rewritten, 'latin1');
  }
}
