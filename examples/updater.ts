// An updater that survives restarts: the first run starts the download and
// remembers the job id; any later run (after a crash, a logoff, a reboot)
// reattaches to the same BITS job, waits for it and installs.
//   node --experimental-strip-types examples/updater.ts https://example.com/app-2.0.msi C:\Updates\app-2.0.msi
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { BackgroundCopyManager, BitsError, startDownload } from 'windows-bits';

const [url, target] = process.argv.slice(2);
if (!url || !target) throw new Error('usage: updater <url> <full local path>');
const stateFile = path.join(path.dirname(target), '.update-job');

const manager = await BackgroundCopyManager.connect();
let job = null;
if (existsSync(stateFile)) {
  try {
    job = await manager.getJob(readFileSync(stateFile, 'utf8').trim());
    console.log(`reattached to ${job.id} (${await job.getState()})`);
  } catch (e) {
    if (!(e instanceof BitsError && e.code === 'BG_E_NOT_FOUND')) throw e;
    console.log('the saved job is gone (completed or cancelled elsewhere): starting again');
  }
}
if (!job) {
  job = await startDownload(url, target, { displayName: 'app updater', priority: 'normal', manager });
  writeFileSync(stateFile, job.id);
  console.log(`started ${job.id}; it carries on if this process ends`);
}

job.on('progress', (p) => console.log(`${p.bytesTransferred} of ${p.bytesTotal ?? '?'} bytes`));
await job.waitForTransfer();
await job.complete();
rmSync(stateFile);
console.log(`ready to install ${target}`);
job.close();
manager.close();
