// An upload-reply job: send a file to a server with the BITS upload extensions
// (IIS), and read the server's reply, for instance a crash report's ticket id.
//   node --experimental-strip-types examples/upload-reply.ts C:\dumps\crash.dmp https://reports.example.com/upload/crash.dmp
import path from 'node:path';

import { BackgroundCopyManager } from 'windows-bits';

const [file, url] = process.argv.slice(2);
if (!file || !url) throw new Error('usage: upload-reply <file> <url>');

const manager = await BackgroundCopyManager.connect();
const job = await manager.createJob('crash report', 'upload-reply');
await job.addFile(url, path.resolve(file));
await job.setReplyFileName(path.resolve(`${file}.reply`));
await job.resume();
try {
  await job.waitForTransfer({ onProgress: (p) => console.log(`${p.bytesTransferred} bytes sent`) });
  const reply = await job.getReplyData(); // IBackgroundCopyJob2::GetReplyData
  console.log(`server replied: ${reply.toString('utf8')}`);
  await job.complete();
} catch (e) {
  await job.cancel();
  throw e;
} finally {
  job.close();
  manager.close();
}
