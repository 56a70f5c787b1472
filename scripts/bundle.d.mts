// Types of bundle.mjs, for the unit tests that bundle with its options.
import type { BuildOptions, Plugin } from 'esbuild';

export const REFUSED: string;
export const builtins: Plugin;
export function options(outdir: string, entryPoints: string[], extra?: BuildOptions): BuildOptions;
export function bundle(outdir?: string): Promise<string[]>;
