import { runCli } from './cli';

// The CLI prints for people and pipes: results on stdout, notes and errors on stderr.
runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  env: process.env,
  progress: (text) => process.stderr.write(text),
  isTty: process.stderr.isTTY === true,
  onInterrupt: (handler) => process.once('SIGINT', handler),
}).then((code) => {
  process.exitCode = code;
});
