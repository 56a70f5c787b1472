// Types of release-check.mjs, for its unit test.
export const ARCHES: string[];
export const PRODUCT_EXPORTS: string[];
export function prebuildFile(arch: string): string;
export function releaseProblems(release: { tag: string; version: string; has(file: string): boolean }): string[];
export function exportProblems(binding: unknown): string[];
