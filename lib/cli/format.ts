// Human output: sizes, durations, colors (only on a TTY, never with NO_COLOR),
// and tables.
type Style = 'red' | 'green' | 'yellow' | 'cyan' | 'gray' | 'bold' | 'dim';

// SGR codes written directly: util.styleText decides on its own, differently
// across Node versions, and the decision here is ours (TTY, NO_COLOR, TERM).
const SGR: Record<Style, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  gray: [90, 39],
  bold: [1, 22],
  dim: [2, 22],
};

export function colorEnabled(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

export function paint(stream: NodeJS.WriteStream, style: Style, text: string): string {
  const [on, off] = SGR[style];
  return colorEnabled(stream) ? `\x1b[${on}m${text}\x1b[${off}m` : text;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
export function bytes(n: number | null): string {
  if (n === null) return '?';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? String(v) : v.toFixed(1)} ${UNITS[u] ?? 'B'}`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function stateColor(state: string): Style {
  if (state === 'transferred' || state === 'acknowledged') return 'green';
  if (state === 'error' || state === 'cancelled') return 'red';
  if (state === 'transient-error' || state === 'suspended') return 'yellow';
  return 'cyan';
}

// eslint-disable-next-line no-control-regex -- ANSI color codes are what it removes
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (s: string): number => s.replace(ANSI, '').length;

/**
 * The width human output must fit: the terminal's, less one column (a console
 * that wraps at the last column drops the start of the wrapped line, as Wine's
 * does). Undefined off a terminal: piped output is never cut.
 */
export function outputWidth(stream: NodeJS.WriteStream): number | undefined {
  return stream.isTTY && stream.columns > 0 ? Math.max(20, stream.columns - 1) : undefined;
}

/** `text` at most `width` characters wide, shortened in the middle with '…' (plain text only). */
export function middle(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const head = Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

/**
 * Left-aligned columns, as wide as their widest cell (colors take no width).
 * With `maxWidth`, the columns named in `shrink` (plain-text ones) give up width in
 * that order, shortened in the middle, until each line fits.
 */
export function table(rows: string[][], header: string[], fit: { maxWidth?: number | undefined; shrink?: number[] } = {}): string {
  let all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => visible(r[i] ?? ''))));
  const shrink = fit.shrink ?? [];
  if (fit.maxWidth !== undefined && shrink.length > 0) {
    // Room for the color codes too: Wine's console counts them as columns and
    // wraps early; a real terminal just ends the line a little short.
    const codes = Math.max(...all.map((r) => r.join('').length - visible(r.join(''))));
    const maxWidth = fit.maxWidth - codes;
    const total = (): number => widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1);
    const floor = 8;
    // In the order given: each column gives up what it can before the next one does.
    for (const i of shrink) {
      if (total() <= maxWidth) break;
      widths[i] = Math.max(floor, (widths[i] ?? 0) - (total() - maxWidth));
    }
    all = all.map((r) => r.map((c, i) => (shrink.includes(i) ? middle(c, widths[i] ?? c.length) : c)));
  }
  const pad = (c: string, w: number): string => c + ' '.repeat(Math.max(0, w - visible(c)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ')).join('\n');
}

/**
 * `prefix + a + separator + b + suffix` in at most `width` columns: the two names
 * (a URL and a path, say) give way in the middle, the longer one first, so that
 * both ends of each stay readable. Unchanged when `width` is undefined.
 */
export function fitPair(prefix: string, a: string, separator: string, b: string, suffix: string, width: number | undefined): string {
  if (width === undefined) return `${prefix}${a}${separator}${b}${suffix}`;
  const room = width - visible(prefix) - separator.length - visible(suffix);
  let left = a;
  let right = b;
  if (left.length + right.length > room) {
    const half = Math.max(8, Math.floor(room / 2));
    if (left.length <= half) right = middle(right, Math.max(8, room - left.length));
    else if (right.length <= half) left = middle(left, Math.max(8, room - right.length));
    else {
      left = middle(left, half);
      right = middle(right, Math.max(8, room - half));
    }
  }
  return `${prefix}${left}${separator}${right}${suffix}`;
}
