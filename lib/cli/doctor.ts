// bits doctor: can BITS transfer for this process, and if not why, in the manner
// of `npm doctor` and `brew doctor`: one line per check, a remedy for what fails,
// and one JSON document with --json. Exit code 0 when BITS can run, 3 off
// Windows, 1 when something here stops it.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { NativeAvailability } from '../../binding.js';
import { logonTypeName, logonTypeOf, readAvailability } from '../availability.js';
import { packageRoot } from '../binding.js';
import type { BitsAvailability } from '../availability.js';
import { EXIT } from './context.js';
import type { Context } from './context.js';
import { paint } from './format.js';

/** winsvc.h's SERVICE_*_START and SERVICE_* states. */
const START_TYPES = ['boot', 'system', 'automatic', 'manual', 'disabled'];
const STATES = ['', 'stopped', 'start-pending', 'stop-pending', 'running', 'continue-pending', 'pause-pending', 'paused'];
const ACCOUNTS = [null, 'LocalSystem', 'LocalService', 'NetworkService'];

/** What `bits doctor --json` prints. */
export interface DoctorReport extends BitsAvailability {
  logonType: string | null;
  account: string | null;
  interactiveSession: boolean | null;
  service: { startType: string | null; state: string | null; error: number | null } | null;
  container: boolean;
  /** The newest BITS version whose BackgroundCopyManager class answered. */
  bitsVersion: string | null;
  proxy: { bits: string; http: { httpsProxy: string | null; httpProxy: string | null; noProxy: string | null } };
  node: string;
  package: string;
  platform: string;
}

function env(...names: string[]): string | null {
  for (const n of names) {
    const v = process.env[n];
    if (v) return v;
  }
  return null;
}

/** A proxy URL without its credentials: a report is pasted into issues. */
function redact(url: string | null): string | null {
  if (url === null) return null;
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The report from the readings (null off Windows). @internal */
export function doctorReport(readings: NativeAvailability | null, verdict: BitsAvailability): DoctorReport {
  const type = readings ? logonTypeOf(readings) : null;
  return {
    ...verdict,
    logonType: readings ? logonTypeName(type) : null,
    account: readings ? (ACCOUNTS[readings.systemAccount] ?? null) : null,
    interactiveSession: readings?.userSession ?? null,
    service: readings
      ? {
          startType: readings.serviceStartType === null ? null : (START_TYPES[readings.serviceStartType] ?? String(readings.serviceStartType)),
          state: readings.serviceState === null ? null : (STATES[readings.serviceState] ?? String(readings.serviceState)),
          error: readings.serviceError || null,
        }
      : null,
    container: readings ? readings.containerType !== null || readings.containerService : false,
    bitsVersion: readings?.managerVersions?.[0] ?? null,
    proxy: {
      bits: "the job owner's system proxy settings (WinHTTP / Internet Options), or the job's own",
      http: { httpsProxy: redact(env('HTTPS_PROXY', 'https_proxy')), httpProxy: redact(env('HTTP_PROXY', 'http_proxy')), noProxy: env('NO_PROXY', 'no_proxy') },
    },
    node: process.version,
    package: packageVersion(),
    platform: `${process.platform}-${process.arch}`,
  };
}

function humanReport(r: DoctorReport): string {
  const out = process.stdout;
  const mark = (ok: boolean | null): string => (ok === null ? paint(out, 'yellow', '?') : ok ? paint(out, 'green', '✓') : paint(out, 'red', '✗'));
  const lines = [
    `${mark(r.available)} BITS available: ${r.available ? 'yes' : 'no'} (${r.reason})`,
    `  ${r.detail}`,
    ...(r.remedy ? [`  ${paint(out, 'yellow', 'remedy:')} ${r.remedy}`] : []),
  ];
  if (r.service) {
    lines.push(`${mark(r.logonType === null ? null : r.reason !== 'not-logged-on')} logon type: ${r.logonType ?? 'unknown'}${r.account ? `, account ${r.account}` : ''}`);
    if (r.interactiveSession !== null) lines.push(`  interactive session of this user: ${r.interactiveSession ? 'yes' : 'no'}`);
    const s = r.service;
    lines.push(`${mark(s.startType === null ? null : s.startType !== 'disabled')} BITS service: ${s.error ? `unreadable (0x${s.error.toString(16).toUpperCase()})` : `start type ${s.startType}, ${s.state}`}`);
    lines.push(`${mark(!r.container)} container: ${r.container ? 'yes' : 'no'}`);
    lines.push(`${mark(r.bitsVersion !== null)} BITS version: ${r.bitsVersion ?? 'no manager class answered'}`);
  }
  lines.push(`  proxy: BITS uses ${r.proxy.bits}; the HTTP fallback uses HTTPS_PROXY=${r.proxy.http.httpsProxy ?? '(unset)'} NO_PROXY=${r.proxy.http.noProxy ?? '(unset)'}`);
  lines.push(`  node ${r.node}, windows-bits ${r.package}, ${r.platform}`);
  return lines.join('\n');
}

/** Runs the checks, prints them, and returns the exit code. */
export async function doctorCommand(ctx: Context): Promise<number> {
  const { readings, verdict } = await readAvailability(true);
  const report = doctorReport(readings, verdict);
  ctx.print(humanReport(report), report);
  return report.available ? EXIT.ok : report.reason === 'not-windows' ? EXIT.unsupported : EXIT.failed;
}
