import { generateStoredKey } from '@waymark/tokens';
import { existsSync, writeFileSync } from 'node:fs';
import { CliCommand, EXIT, UsageError } from '../cli-command';

export const keysGenerateCommand: CliCommand = {
  name: 'keys generate',
  summary: 'Create a token key file (a JWK set with one fresh 256-bit key).',
  usage:
    'waymark keys generate [--out FILE]\n\n' +
    'Without --out the key set is printed (treat it as a secret). ' +
    'With --out it is written with mode 0600; an existing file is never overwritten (use `keys rotate`).',
  options: { out: { type: 'string' } },
  async run(values, _positionals, io) {
    const file = { keys: [generateStoredKey()] };
    const out = values.out as string | undefined;
    if (!out) {
      io.out(JSON.stringify(file, null, 2));
      return EXIT.ok;
    }
    if (existsSync(out)) throw new UsageError(`${out} exists; use "waymark keys rotate --file ${out}" to add a key to it`);
    writeFileSync(out, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    io.err(`wrote ${out} with key ${file.keys[0].kid}`);
    return EXIT.ok;
  },
};
