import { KeyFile, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { CliCommand, EXIT, UsageError } from '../cli-command';

/**
 * Rotation in two steps: `rotate` puts a new key first (it encrypts new tokens; the
 * old ones still decrypt what they issued), and once every token of an old key has
 * expired, `--retire KID` removes it. Restart the API after each step.
 */
export const keysRotateCommand: CliCommand = {
  name: 'keys rotate',
  summary: 'Add a new active token key to a key file, or retire an old one.',
  usage:
    'waymark keys rotate --file FILE [--retire KID]\n\n' +
    'Without --retire: a new key becomes the first (active) key; older keys keep verifying.\n' +
    'With --retire KID: removes that key (never the active one). Restart the API afterwards.',
  options: { file: { type: 'string' }, retire: { type: 'string' } },
  async run(values, _positionals, io) {
    const path = values.file as string | undefined;
    if (!path) throw new UsageError('--file is required');
    let file: KeyFile;
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
      TokenKeyRing.fromKeyFile(file);
    } catch (error) {
      throw new UsageError(`${path} is not a valid key file: ${(error as Error).message}`);
    }
    const retire = values.retire as string | undefined;
    if (retire) {
      if (file.keys[0].kid === retire) throw new UsageError(`${retire} is the active key; rotate first, retire it later`);
      if (!file.keys.some((key) => key.kid === retire)) throw new UsageError(`no key ${retire} in ${path}`);
      file = { keys: file.keys.filter((key) => key.kid !== retire) };
      io.err(`retired ${retire}; ${file.keys.length} key(s) remain`);
    } else {
      const key = generateStoredKey();
      file = { keys: [key, ...file.keys] };
      io.err(`added ${key.kid} as the active key; ${file.keys.length} key(s) in the ring`);
    }
    // Write beside, then rename: a crash never leaves a half-written key file.
    writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
    return EXIT.ok;
  },
};
