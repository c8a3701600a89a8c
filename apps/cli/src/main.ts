import { ConfigError, assertKnownWaymarkVariables } from '@waymark/config';
import { runCli } from './cli';
import { EXIT } from './cli-command';

/**
 * A misspelt WAYMARK_URL or WAYMARK_API_KEY would otherwise send a command (a replay,
 * say) to the default service instead of the one meant: refuse it before running.
 */
function unknownWaymarkVariables(): string | undefined {
  try {
    assertKnownWaymarkVariables(process.env);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

const refusal = unknownWaymarkVariables();
if (refusal) {
  process.stderr.write(`waymark: ${refusal}\n`);
  process.exitCode = EXIT.usage;
} else {
  // The CLI prints for people and pipes: results on stdout, notes and errors on stderr.
  // runCli answers every failure with an exit code, so its promise does not reject.
  void runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text + '\n'),
    err: (text) => process.stderr.write(text + '\n'),
    env: process.env,
    progress: (text) => process.stderr.write(text),
    isTty: process.stderr.isTTY === true,
    onInterrupt: (handler) => process.once('SIGINT', handler),
  }).then((code) => {
    process.exitCode = code;
  });
}
