import { runCli, writeToStderr } from './cli.js';

const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: writeToStderr,
});
process.exitCode = code;
