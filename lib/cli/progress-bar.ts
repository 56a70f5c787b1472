// The live progress line of `bits download`, `upload` and `wait`: bytes, rate,
// ETA and files; a bouncing bar where BITS does not know the size yet. Drawn on
// stderr, and only when stderr is a terminal.
import type { JobProgress } from '../job/types.js';
import { bytes, duration, paint } from './format.js';

export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  readonly #started = Date.now();
  #tick = 0;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream = process.stderr, enabled = stream.isTTY) {
    this.#stream = stream;
    this.#enabled = enabled;
  }

  update(p: JobProgress): void {
    if (!this.#enabled) return;
    const width = 30;
    const elapsed = (Date.now() - this.#started) / 1000;
    const rate = elapsed > 0 ? p.bytesTransferred / elapsed : 0;
    let bar: string;
    let tail: string;
    if (p.bytesTotal !== null && p.bytesTotal > 0) {
      const ratio = Math.min(1, p.bytesTransferred / p.bytesTotal);
      const full = Math.round(ratio * width);
      bar = `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
      const eta = rate > 0 ? (p.bytesTotal - p.bytesTransferred) / rate : Infinity;
      tail = `${String(Math.floor(ratio * 100)).padStart(3)}% ${bytes(p.bytesTransferred)}/${bytes(p.bytesTotal)} ${bytes(rate)}/s ETA ${duration(eta)}`;
    } else {
      // Size unknown (Wine never learns it): a block bouncing across the bar.
      const pos = this.#tick++ % (2 * (width - 4));
      const at = pos < width - 4 ? pos : 2 * (width - 4) - pos;
      bar = `${'░'.repeat(at)}████${'░'.repeat(width - 4 - at)}`;
      tail = `${bytes(p.bytesTransferred)} ${bytes(rate)}/s`;
    }
    const line = `${paint(this.#stream, 'cyan', bar)} ${tail} files ${p.filesTransferred}/${p.filesTotal}`;
    this.#stream.write(`\r\x1b[2K${line}`);
    this.#drawn = true;
  }

  done(): void {
    if (this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
  }
}
