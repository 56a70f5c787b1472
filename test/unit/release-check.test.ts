// scripts/release-check.mjs, the release workflow's gate before npm publish: a
// tag that is not package.json's version, or a missing prebuild, stops it.
import { readFileSync } from 'node:fs';

import { describe, expect, test } from 'vitest';

import { PRODUCT_EXPORTS } from '../../scripts/product-exports.mjs';
import { exportProblems, prebuildFile, releaseProblems } from '../../scripts/release-check.mjs';

const both = new Set([prebuildFile('x64'), prebuildFile('arm64')]);

describe('release check', () => {
  test('a tag v<version> with both prebuilds passes', () => {
    expect(releaseProblems({ tag: 'v1.2.3', version: '1.2.3', has: (f) => both.has(f) })).toEqual([]);
  });

  test('node-gyp-build\'s prebuild layout: prebuilds/win32-<arch>/windows-bits.node', () => {
    expect(prebuildFile('arm64').replace(/\\/g, '/')).toBe('prebuilds/win32-arm64/windows-bits.node');
  });

  test('a tag that is not package.json version is refused', () => {
    const has = (f: string): boolean => both.has(f);
    expect(releaseProblems({ tag: 'v1.2.4', version: '1.2.3', has })).toEqual(["the tag 'v1.2.4' does not name package.json's version 1.2.3 (expected 'v1.2.3')"]);
    expect(releaseProblems({ tag: '1.2.3', version: '1.2.3', has })).toHaveLength(1);
    expect(releaseProblems({ tag: '', version: '1.2.3', has })).toHaveLength(1);
  });

  test('each missing prebuild is named', () => {
    expect(releaseProblems({ tag: 'v1.0.0', version: '1.0.0', has: (f) => f === prebuildFile('x64') })).toEqual(['prebuilds/win32-arm64/windows-bits.node is missing']);
    expect(releaseProblems({ tag: 'v1.0.0', version: '1.0.0', has: () => false })).toEqual([
      'prebuilds/win32-x64/windows-bits.node is missing',
      'prebuilds/win32-arm64/windows-bits.node is missing',
    ]);
  });

  test('a loaded addon must export every product function of the one list, setErrorClasses too', () => {
    const fn = (): void => undefined;
    // binding.d.ts's NativeBinding: lib/binding.ts calls setErrorClasses on every load, the rest on use.
    expect([...PRODUCT_EXPORTS]).toEqual(['availability', 'connect', 'setErrorClasses', 'setEventListener']);
    const all = Object.fromEntries(PRODUCT_EXPORTS.map((name) => [name, fn]));
    expect(exportProblems({ ...all, debugStats: fn })).toEqual([]);
    expect(exportProblems({ connect: fn, setEventListener: 1 })).toEqual([
      "the prebuild does not export the function 'availability'",
      "the prebuild does not export the function 'setErrorClasses'",
      "the prebuild does not export the function 'setEventListener'",
    ]);
    expect(exportProblems(undefined)).toHaveLength(PRODUCT_EXPORTS.length);
  });

  test('package.json names the GitHub repository (npm publish --provenance refuses a package without one)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { repository?: { type?: string; url?: string } };
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/windows-bits/windows-bits.git' });
  });
});
