// HTTP Basic authentication (RFC 7617) for the upload server, against a users
// file of salted scrypt hashes. BITS sends credentials only after the server asks
// for them (a 401 with WWW-Authenticate), so a request without them, or with wrong
// ones, gets the challenge. Basic sends the password in the clear: use it over TLS.
//
// The password never becomes a JS string: it is decoded from the header into a
// Buffer, hashed, and zeroed. A verified header is remembered (as a keyed hash of
// it, never the header itself) for a few minutes, so that a client's packets do
// not each cost a scrypt.
//
// Users file: one user a line, `name:$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`
// (salt and hash in base64), as hashPassword() writes; blank lines and lines
// starting with # are ignored.
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { AuthorizeChallenge } from './options.js';

/** One user of a users file. */
export interface BasicUser {
  /** The user name: the principal once verified. */
  name: string;
  /** log2 of scrypt's cost N. */
  ln: number;
  /** scrypt's block size. */
  r: number;
  /** scrypt's parallelisation. */
  p: number;
  /** The random salt. */
  salt: Buffer;
  /** scrypt(password, salt). */
  hash: Buffer;
}

/** The scrypt cost hashPassword uses: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds). */
export const SCRYPT_DEFAULTS = { ln: 15, r: 8, p: 1 } as const;
const ENTRY = /^([^:\s]+):\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,}={0,2})\$([A-Za-z0-9+/]{43,}={0,2})$/;
const CACHE_MS = 5 * 60_000;
const CACHE_SIZE = 1024;

function derive(password: Buffer, salt: Buffer, u: Pick<BasicUser, 'ln' | 'r' | 'p'>, length: number): Promise<Buffer> {
  const N = 2 ** u.ln;
  return new Promise((resolve, reject) => {
    // scrypt runs on libuv's thread pool: the event loop stays free.
    scrypt(password, salt, length, { N, r: u.r, p: u.p, maxmem: 256 * N * u.r }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A users-file value for `password` (without the `name:` in front): a fresh 16-byte salt, scrypt, base64. */
export async function hashPassword(password: Buffer): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, SCRYPT_DEFAULTS, 32);
  const { ln, r, p } = SCRYPT_DEFAULTS;
  return `$scrypt$ln=${ln},r=${r},p=${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Reads a users file's text; throws RangeError naming the first bad line (by number only: a line may hold a hash). */
export function parseUsers(text: string): Map<string, BasicUser> {
  const users = new Map<string, BasicUser>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = ENTRY.exec(line);
    const [ln, r, p] = [Number(m?.[2]), Number(m?.[3]), Number(m?.[4])];
    if (!m?.[1] || ln < 10 || ln > 22 || r < 1 || p < 1) throw new RangeError(`users file line ${i + 1} is not a user name, a colon and a scrypt hash as hashPassword() writes it`);
    if (users.has(m[1])) throw new RangeError(`users file line ${i + 1} repeats a user name`);
    users.set(m[1], { name: m[1], ln, r, p, salt: Buffer.from(m[5] ?? '', 'base64'), hash: Buffer.from(m[6] ?? '', 'base64') });
  });
  if (users.size === 0) throw new RangeError('the users file names no user');
  return users;
}

/** Options of {@link basicAuth}. */
export interface BasicAuthOptions {
  /** The realm the challenge names (RFC 7617 2). Default 'BITS uploads'. */
  realm?: string;
}

/**
 * An `authorize` hook for {@link createUploadHandler}: the principal is the user
 * name of valid Basic credentials; anything else is answered with the challenge
 * `Basic realm="...", charset="UTF-8"` (401).
 */
export function basicAuth(users: Map<string, BasicUser>, options: BasicAuthOptions = {}): (req: IncomingMessage) => Promise<string | AuthorizeChallenge> {
  const realm = options.realm ?? 'BITS uploads';
  if (/["\\\r\n]/.test(realm)) throw new TypeError('basicAuth: realm may not hold quotes, backslashes or line breaks');
  const challenge: AuthorizeChallenge = { challenge: `Basic realm="${realm}", charset="UTF-8"` };
  // An unknown name costs a scrypt all the same, so response times do not tell which names exist.
  const decoy: BasicUser = { name: '', ...SCRYPT_DEFAULTS, salt: randomBytes(16), hash: randomBytes(32) };
  const cacheKey = randomBytes(32);
  const verified = new Map<string, { name: string; until: number }>();

  return async (req) => {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header) : null;
    if (!m?.[1] || typeof header !== 'string') return challenge;
    const key = createHmac('sha256', cacheKey).update(header).digest('base64');
    const known = verified.get(key);
    if (known && known.until > Date.now()) return known.name;
    const decoded = Buffer.from(m[1], 'base64');
    try {
      const colon = decoded.indexOf(0x3a);
      if (colon < 0) return challenge;
      const name = decoded.toString('utf8', 0, colon);
      const user = users.get(name);
      const candidate = await derive(decoded.subarray(colon + 1), (user ?? decoy).salt, user ?? decoy, (user ?? decoy).hash.length);
      const ok = timingSafeEqual(candidate, (user ?? decoy).hash) && user !== undefined;
      if (!ok) return challenge;
      if (verified.size >= CACHE_SIZE) verified.delete(verified.keys().next().value as string);
      verified.set(key, { name, until: Date.now() + CACHE_MS });
      return name;
    } finally {
      decoded.fill(0);
    }
  };
}
