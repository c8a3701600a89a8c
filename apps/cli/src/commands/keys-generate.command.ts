import { generatePrivacyKeyFile } from '@waymark/privacy';
import { generateStoredKey } from '@waymark/tokens';
import { existsSync, writeFileSync } from 'node:fs';
import { CliCommand, EXIT, UsageError } from '../cli-command';

export const keysGenerateCommand: CliCommand = {
  name: 'keys generate',
  summary: 'Create a token key file (a JWK set with one fresh 256-bit key), or with --privacy a privacy key file.',
  usage:
    'waymark keys generate [--privacy] [--out FILE]\n\n' +
    'Without --out the key set is printed (treat it as a secret). ' +
    'With --out it is written with mode 0600; an existing file is never overwritten (use `keys rotate` for token keys). ' +
    '--privacy makes the privacy key file instead (PRIVACY_KEYS_FILE: the lookup key and the wrap keys of the per-user keys, docs/privacy.md); ' +
    'its lookup key must never change once the service has stored events with it.',
  options: { out: { type: 'string' }, privacy: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const privacy = values.privacy === true;
    const file = privacy ? generatePrivacyKeyFile() : { keys: [generateStoredKey()] };
    const out = values.out as string | undefined;
    if (!out) {
      io.out(JSON.stringify(file, null, 2));
      return EXIT.ok;
    }
    if (existsSync(out)) {
      throw new UsageError(
        privacy ? `${out} exists; a privacy key file is never replaced` : `${out} exists; use "waymark keys rotate --file ${out}" to add a key to it`,
      );
    }
    writeFileSync(out, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    io.err(privacy ? `wrote ${out} (privacy keys)` : `wrote ${out} with key ${(file as { keys: Array<{ kid: string }> }).keys[0].kid}`);
    return EXIT.ok;
  },
};
