// A fleet for the tests: a node:cluster primary that forks N workers, each
// running createUploadServer on one shared directory, the connections handed
// out round-robin (cluster.SCHED_RR). Run as
//   node fleet-cluster.mjs <upload-server index.js URL> <directory> <workers>
// It talks JSON lines: on stdout {port} once every worker listens, then
// {worker, pid, event} for each upload-server event a worker reports, and
// {killed, restarted} after a `kill <n>` line on stdin, which SIGKILLs worker n
// (no handler runs, nothing is flushed) and forks a replacement.
import cluster from 'node:cluster';
import process from 'node:process';
import { createInterface } from 'node:readline';

const [url, directory, count] = process.argv.slice(2);
const say = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  cluster.setupPrimary({ args: [url, directory, count], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const workers = [];
  let port;
  let listening = 0;
  const fork = (slot) => {
    const w = cluster.fork({ FLEET_SLOT: String(slot) });
    workers[slot] = w;
    w.on('message', (m) => {
      if (m.event) say({ worker: slot, pid: w.process.pid, event: m.event });
    });
    w.on('listening', (address) => {
      port ??= address.port;
      if (++listening === Number(count)) say({ port });
      else if (listening > Number(count)) say({ restarted: slot, pid: w.process.pid, port: address.port });
    });
    return w;
  };
  for (let i = 0; i < Number(count); i++) fork(i);
  createInterface({ input: process.stdin }).on('line', (line) => {
    const m = /^kill (\d+)$/.exec(line.trim());
    if (!m) return;
    const slot = Number(m[1]);
    const victim = workers[slot];
    victim.once('exit', (code, signal) => {
      say({ killed: slot, pid: victim.process.pid, signal });
      fork(slot);
    });
    victim.process.kill('SIGKILL');
  });
  // The test ends the fleet by closing stdin or killing the primary; the workers go with it.
  process.stdin.on('end', () => {
    for (const w of workers) w.process.kill('SIGKILL');
    process.exit(0);
  });
} else {
  const { createUploadServer } = await import(url);
  const server = createUploadServer({
    directory,
    // Events go to the primary over IPC as they happen, so a SIGKILL loses none already told.
    onEvent: (event) => process.send({ event }),
  });
  // In a worker, listen(0) asks the primary, which gives every worker the same port.
  server.listen(0, '127.0.0.1');
}
