// A monitor of all of this user's jobs: a line per job every two seconds, with
// the error of any job that failed.
//   node --experimental-strip-types examples/monitor.ts
import { BackgroundCopyManager } from 'windows-bits';

const manager = await BackgroundCopyManager.connect();
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

while (!controller.signal.aborted) {
  const jobs = await manager.listJobs();
  console.clear();
  console.log(`${jobs.length} job(s) at ${new Date().toLocaleTimeString()} (Ctrl-C quits)`);
  for (const job of jobs) {
    const [name, state, p] = await Promise.all([job.getDisplayName(), job.getState(), job.getProgress()]);
    console.log(`${job.id}  ${state.padEnd(15)} ${p.bytesTransferred}/${p.bytesTotal ?? '?'}  ${name}`);
    if (state === 'error' || state === 'transient-error') {
      const error = await job.getError();
      if (error) console.log(`    ${error.code} in ${error.context}: ${error.message}`);
    }
    job.close();
  }
  await new Promise((r) => setTimeout(r, 2000));
}
manager.close();
