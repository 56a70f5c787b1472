// Whether this process runs elevated, for the tests whose documented answer depends
// on it: TakeOwnership and EnumJobs(BG_JOB_ENUM_ALL_USERS) need an administrator
// (E_ACCESSDENIED otherwise), and so does stopping the BITS service.
import { spawnSync } from 'node:child_process';

import { wine } from './helpers.js';

/**
 * `net session` lists the server service's sessions, which only an elevated
 * administrator may do: exit 0 elevated, system error 5 (exit 2) otherwise. null
 * under Wine, whose BITS checks no privilege and whose net.exe has no `session`.
 */
export const elevated: boolean | null = wine ? null : spawnSync('net', ['session'], { stdio: 'ignore', windowsHide: true }).status === 0;
