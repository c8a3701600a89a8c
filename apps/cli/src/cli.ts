import { WaymarkError } from '@waymark/sdk';
import { parseArgs } from 'node:util';
import { CliCommand, CliIo, EXIT, UsageError } from './cli-command';
import { apiKeysCreateCommand } from './commands/api-keys-create.command';
import { keysGenerateCommand } from './commands/keys-generate.command';
import { keysRotateCommand } from './commands/keys-rotate.command';
import { replayCommand } from './commands/replay.command';
import { dlqListCommand, dlqRedriveCommand, dlqShowCommand } from './commands/dlq.commands';
import { eventsExportCommand, eventsTailCommand } from './commands/events.commands';
import { lagCommand } from './commands/lag.command';
import { logRepairCommand } from './commands/log-repair.command';
import { migrateCommand } from './commands/migrate.command';
import { migrateToDistributedCommand } from './commands/migrate-to-distributed.command';
import { rebuildRedisCommand } from './commands/rebuild-redis.command';
import { specsApplyCommand } from './commands/specs-apply.command';
import { privacyMigrateCommand } from './commands/privacy-migrate.command';
import { usersEraseCommand, usersExportCommand } from './commands/users.commands';

export const COMMANDS: readonly CliCommand[] = [
  replayCommand,
  eventsTailCommand,
  eventsExportCommand,
  dlqListCommand,
  dlqShowCommand,
  dlqRedriveCommand,
  lagCommand,
  logRepairCommand,
  migrateCommand,
  migrateToDistributedCommand,
  rebuildRedisCommand,
  keysGenerateCommand,
  keysRotateCommand,
  apiKeysCreateCommand,
  specsApplyCommand,
  usersEraseCommand,
  usersExportCommand,
  privacyMigrateCommand,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'Usage: waymark <command> [options]   (waymark <command> --help for details)',
    '',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
  ].join('\n');
}

/** Runs one command line; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const command = COMMANDS.find((candidate) => {
    const words = candidate.name.split(' ');
    return words.every((word, index) => argv[index] === word);
  });
  if (!command) {
    const asked = argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help';
    (asked ? io.out : io.err)(asked ? overview() : `unknown command: ${argv.join(' ')}\n\n${overview()}`);
    return asked ? EXIT.ok : EXIT.usage;
  }
  const rest = argv.slice(command.name.split(' ').length);
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(command.usage);
      return EXIT.ok;
    }
    return await command.run(values, positionals, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`waymark ${command.name}: ${(error as Error).message}\n\n${command.usage}`);
      return EXIT.usage;
    }
    if (error instanceof WaymarkError) {
      const fields = error.fieldErrors.map((field) => `\n  ${field.field}: ${field.message}`).join('');
      io.err(`waymark ${command.name}: ${error.code} (${error.status}): ${error.problem.detail}${fields}`);
      return EXIT.failed;
    }
    io.err(`waymark ${command.name}: ${(error as Error).message}`);
    return EXIT.failed;
  }
}
