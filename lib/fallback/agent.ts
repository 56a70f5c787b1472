// The HTTP client of the plain-HTTP fallback: undici (the client inside Node's own
// fetch), through its EnvHttpProxyAgent, so HTTP_PROXY, HTTPS_PROXY and NO_PROXY
// (or their lower-case forms) choose the proxy. That is the fallback's difference
// from BITS, which uses the system's (WinHTTP/IE) proxy settings. Node 20's
// bundled undici does not export EnvHttpProxyAgent, hence the `undici` package.
// It is loaded on first use, so importing windows-bits costs nothing when no
// fallback runs.
import type { Dispatcher } from 'undici';

type Undici = typeof import('undici');

let loaded: Promise<Undici> | undefined;
let cached: { key: string; dispatcher: Dispatcher } | undefined;

const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const;

/** The undici module, imported once. @internal */
export function undici(): Promise<Undici> {
  loaded ??= import('undici');
  return loaded;
}

/**
 * The dispatcher every fallback request goes through: the environment's proxy,
 * redirects followed (as BITS follows them silently by default). Rebuilt when a
 * proxy variable changed since the last call, so a process that sets them late
 * is still honoured. @internal
 */
export async function fallbackDispatcher(): Promise<Dispatcher> {
  const key = PROXY_VARIABLES.map((name) => process.env[name] ?? '').join('\n');
  if (cached?.key === key) return cached.dispatcher;
  const { EnvHttpProxyAgent, interceptors } = await undici();
  // The connection pool of an older dispatcher is left to close its idle sockets by itself.
  // No TCP keep-alive on the socket: Windows Node under Wine fails every connect
  // that sets it first (libuv: connect UNKNOWN); a transfer streams, so nothing
  // idles long enough to need it, and HTTP keep-alive is undici's own.
  const dispatcher = new EnvHttpProxyAgent({ connect: { keepAlive: false } }).compose(interceptors.redirect({ maxRedirections: 10 }));
  cached = { key, dispatcher };
  return dispatcher;
}

/**
 * The proxy the fallback uses for `url`, or null: EnvHttpProxyAgent's own rules
 * (lower-case variables first; HTTPS falls back to HTTP_PROXY; NO_PROXY entries
 * match a host, its subdomains, and a port when one is given; `*` matches all).
 * For diagnostics such as `bits doctor`.
 */
export function fallbackProxyFor(url: string): string | null {
  const target = new URL(url);
  const env = (name: string): string | undefined => process.env[name.toLowerCase()] ?? process.env[name];
  const httpProxy = env('HTTP_PROXY');
  const proxy = target.protocol === 'https:' ? (env('HTTPS_PROXY') ?? httpProxy) : httpProxy;
  if (!proxy) return null;
  const noProxy = env('NO_PROXY') ?? '';
  if (noProxy === '*') return null;
  const host = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(target.port, 10) || (target.protocol === 'https:' ? 443 : 80);
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const name = (parsed?.[1] ?? entry).replace(/^\*?\./, '').toLowerCase();
    if (parsed?.[2] && Number.parseInt(parsed[2], 10) !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return null;
  }
  return proxy;
}
