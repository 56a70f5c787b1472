#!/usr/bin/env node
// `bits`: BITS from the command line, for people who would otherwise type
// bitsadmin /transfer or Start-BitsTransfer. Exit codes: 0 success, 1 the
// transfer or BITS call failed, 2 bad usage, 3 not supported here.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Command, CommanderError, Option } from 'commander';

import { Context, EXIT, UsageError, exitCodeOf, reportError } from './context.js';
import type { ServeUploadsFlags } from './serve-uploads.js';
import type { TransferFlags } from './transfer-commands.js';

// Each command's code is loaded when that command runs: `bits list` reads no
// upload server, monitor or progress bar from disk (every file costs start-up
// time, under Wine and under a Windows virus scanner alike).
const jobCommands = (): Promise<typeof import('./job-commands.js')> => import('./job-commands.js');
const transferCommands = (): Promise<typeof import('./transfer-commands.js')> => import('./transfer-commands.js');

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function transferFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--priority <priority>', 'foreground, high, normal or low').choices(['foreground', 'high', 'normal', 'low']))
    .option('--header <header>', "an extra request header, 'Name: value' (repeatable)", collect)
    .option('--user <name>', 'user name for the server (basic authentication)')
    .option('--password-env <VAR>', 'the environment variable that holds the password (never on the command line)')
    .option('--proxy <proxy>', "a proxy such as http://proxy:8080, or 'none', or 'auto'")
    .option('--retry-delay <seconds>', 'seconds between retries after a transient error')
    .option('--no-progress-timeout <seconds>', 'seconds without progress before BITS gives up')
    .option('--max-time <seconds>', 'seconds the whole download may take')
    .option('--dynamic', 'the server gives no size or ranges (dynamic content)')
    .option('--display-name <name>', 'the job name BITS shows')
    .option('--async', 'print the job id and return; BITS carries on')
    .option('--keep-on-error', 'keep the job in the queue when the transfer fails or is interrupted')
    .addOption(
      new Option('--fallback <when>', "'when-unavailable': plain HTTP where BITS cannot run (see bits doctor); 'never' (default): BITS or an error").choices(['never', 'when-unavailable']),
    );
}

export function program(run: (action: (ctx: Context) => Promise<unknown>) => Promise<void>): Command {
  const bits = new Command('bits')
    .description('Background Intelligent Transfer Service from the command line')
    .option('--json', 'print one JSON document on stdout and nothing else')
    // Before the sub-commands: they copy these settings when they are made.
    .exitOverride()
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', '\nExit codes: 0 success, 1 transfer failed, 2 bad usage, 3 not supported here.');

  transferFlags(
    bits
      .command('download')
      .description('download one or more URLs (into a folder when several), with a live progress bar')
      .argument('<url...>', 'the URLs, then the destination file or folder'),
  )
    .addHelpText('after', '\nExamples:\n  bits download https://example.com/app.msi C:\\Downloads\\app.msi\n  bits download https://h/a.zip https://h/b.zip C:\\Downloads --priority foreground\n  bits download https://h/big.iso . --async')
    .action((args: string[], flags: TransferFlags) => run(async (ctx) => (await transferCommands()).downloadCommand(ctx, args, flags)));

  transferFlags(bits.command('upload').description('upload a file to a server with the BITS upload extensions').argument('<file>').argument('<url>'))
    .addHelpText('after', '\nExample:\n  bits upload C:\\logs\\crash.dmp https://uploads.example.com/dumps/crash.dmp')
    .action((file: string, url: string, flags: TransferFlags) => run(async (ctx) => (await transferCommands()).uploadCommand(ctx, file, url, flags)));

  bits
    .command('list')
    .description("list this user's jobs (every user's with --all-users, elevated)")
    .option('--all-users', "every user's jobs (needs an elevated prompt)")
    .addHelpText('after', '\nExample:\n  bits list --json')
    .action((flags: { allUsers?: boolean }) => run(async (ctx) => (await jobCommands()).listCommand(ctx, flags)));

  bits
    .command('info')
    .description('every property of a job, its files, and its error with BITS’s descriptions')
    .argument('<id>', 'the job GUID')
    .addHelpText('after', '\nExample:\n  bits info {6BA7B810-9DAD-11D1-80B4-00C04FD430C8}')
    .action((id: string) => run(async (ctx) => (await jobCommands()).infoCommand(ctx, id)));

  bits
    .command('monitor')
    .description('a live table of jobs, redrawn in place; q or Ctrl-C quits (one snapshot when not on a terminal)')
    .argument('[id]', 'only this job')
    .option('--all-users', "every user's jobs")
    .option('--interval <seconds>', 'seconds between refreshes', '1')
    .addHelpText('after', '\nExamples:\n  bits monitor\n  bits monitor {6BA7...} --interval 0.5\n  bits monitor --json   (one snapshot)')
    .action((id: string | undefined, flags: { allUsers?: boolean; interval?: string }) => run(async (ctx) => (await import('./monitor.js')).monitorCommand(ctx, id, flags)));

  bits
    .command('create')
    .description('create a suspended job and print its id')
    .argument('<name>', 'display name')
    .addOption(new Option('--type <type>', 'the job type').choices(['download', 'upload', 'upload-reply']).default('download'))
    .addHelpText('after', '\nExample:\n  id=$(bits create "nightly sync")\n  bits add $id https://h/a.bin C:\\data\\a.bin\n  bits resume $id')
    .action((name: string, flags: { type?: string }) => run(async (ctx) => (await jobCommands()).createCommand(ctx, name, flags)));

  bits
    .command('add')
    .description('add a file to a job')
    .argument('<id>')
    .argument('<url>')
    .argument('<dest>', 'the local file (a full path is made from a relative one)')
    .addHelpText('after', '\nExample:\n  bits add {6BA7...} https://example.com/a.bin C:\\data\\a.bin')
    .action((id: string, url: string, dest: string) => run(async (ctx) => (await jobCommands()).addCommand(ctx, id, url, dest)));

  bits
    .command('set')
    .description('change properties of a job')
    .argument('<id>')
    .addOption(new Option('--priority <priority>').choices(['foreground', 'high', 'normal', 'low']))
    .option('--description <text>')
    .option('--display-name <name>')
    .option('--header <header>', "'Name: value' (repeatable; replaces the job's headers)", collect)
    .option('--retry-delay <seconds>')
    .option('--no-progress-timeout <seconds>')
    .addHelpText('after', '\nExample:\n  bits set {6BA7...} --priority high --header "Authorization: Bearer x"')
    .action((id: string, flags: object) => run(async (ctx) => (await jobCommands()).setCommand(ctx, id, flags)));

  for (const action of ['resume', 'suspend', 'cancel', 'complete'] as const) {
    const what = {
      resume: 'start or continue a job',
      suspend: 'pause a job',
      cancel: 'cancel a job and delete its temporary files',
      complete: 'finish a transferred job: its files appear under their names',
    }[action];
    bits
      .command(action)
      .description(what)
      .argument('<id>')
      .addHelpText('after', `\nExample:\n  bits ${action} {6BA7B810-9DAD-11D1-80B4-00C04FD430C8}`)
      .action((id: string) => run(async (ctx) => (await jobCommands()).stateCommand(ctx, action, id)));
  }

  bits
    .command('wait')
    .description('wait until a job is transferred, with a live progress bar (then run bits complete)')
    .argument('<id>')
    .option('--timeout <seconds>', 'give up after this long (the job carries on)')
    .addHelpText('after', '\nExample:\n  bits wait {6BA7...} --timeout 600 && bits complete {6BA7...}')
    .action((id: string, flags: { timeout?: string }) => run(async (ctx) => (await transferCommands()).waitCommand(ctx, id, flags)));

  bits
    .command('doctor')
    .description('can BITS transfer here, and if not why: logon type, service, container, BITS version, proxy, versions')
    .addHelpText('after', '\nExit code 0 when BITS can run, 1 when something here stops it (with the remedy), 3 off Windows.\nExamples:\n  bits doctor\n  bits doctor --json')
    .action(() => run(async (ctx) => (await import('./doctor.js')).doctorCommand(ctx)));

  bits
    .command('serve-uploads')
    .description('receive BITS uploads into a folder (any OS, no BITS needed); a line per finished upload, Ctrl-C stops')
    .argument('[dir]', 'where finished files appear')
    .option('--port <port>', 'TCP port', '8080')
    .option('--host <host>', 'address to listen on; other than loopback it needs --tls-cert, --tls-key and --users (or --insecure)', '127.0.0.1')
    .option('--max-size <size>', 'largest file accepted, such as 1GB or 500MB', '1GB')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM, with its chain)')
    .option('--tls-key <file>', "the certificate's private key (PEM)")
    .option('--users <file>', 'require Basic authentication against this file of name:scrypt-hash lines (see --hash-password)')
    .option('--insecure', 'allow a non-loopback --host without TLS or authentication (a trusted network only)')
    .option('--hash-password <user>', 'print a users-file line for <user>, the password read from stdin (never the command line), and exit')
    .addHelpText(
      'after',
      '\nExamples:\n  bits serve-uploads ./in --max-size 100MB --json\n  bits serve-uploads --hash-password alice >> users.txt\n  bits serve-uploads /srv/uploads --host 0.0.0.0 --port 8443 --tls-cert cert.pem --tls-key key.pem --users users.txt',
    )
    .action((dir: string | undefined, flags: ServeUploadsFlags & { hashPassword?: string }) =>
      run(async (ctx) => {
        const serve = await import('./serve-uploads.js');
        if (flags.hashPassword !== undefined) return serve.hashPasswordCommand(flags.hashPassword);
        if (dir === undefined) throw new UsageError('serve-uploads needs the folder to receive into');
        return serve.serveUploadsCommand(ctx, dir, flags);
      }),
    );

  return bits;
}

/** Runs the CLI and resolves with its exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  let code: number = EXIT.ok;
  const bits = program(async (action) => {
    const ctx = new Context(json);
    try {
      // doctor resolves with its exit code; the others with nothing.
      const result = await action(ctx);
      if (typeof result === 'number') code = result;
    } catch (e) {
      code = exitCodeOf(e);
      reportError(e, json);
      // Bad usage: the help of the command that was misused.
      const sub = bits.commands.find((c) => c.name() === argv.find((a) => !a.startsWith('-')));
      if (code === EXIT.usage && sub && !json) process.stderr.write(`\n${sub.helpInformation()}`);
    } finally {
      ctx.close();
    }
  });
  if (json) bits.configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(s) });
  try {
    await bits.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      if (json) process.stdout.write(`${JSON.stringify({ error: { name: 'UsageError', code: e.code, message: e.message } }, null, 2)}\n`);
      return EXIT.usage;
    }
    reportError(e, json);
    return exitCodeOf(e);
  }
  return code;
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
}
