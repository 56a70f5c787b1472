// Types of wine.mjs's file follower, for its unit test.
import type { Writable } from 'node:stream';

export interface Follower {
  /** Queues one read of what was appended since the last; resolves once it reached the output. */
  pump(): Promise<void>;
  /** Stops the interval; resolves once every byte written so far reached the output. */
  stop(): Promise<void>;
}

export function followFile(file: string, out: Writable, everyMs?: number): Follower;
