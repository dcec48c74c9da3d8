import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  progressStream: process.stderr,
});
process.exitCode = code;
