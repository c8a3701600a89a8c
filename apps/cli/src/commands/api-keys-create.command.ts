import { API_KEY_ROLES, ApiKeyEntry, apiKeyEntrySchema } from '@waymark/config';
import { mintApiKey } from '@waymark/tokens';
import { CliCommand, EXIT, UsageError } from '../cli-command';

export const apiKeysCreateCommand: CliCommand = {
  name: 'api-keys create',
  summary: 'Mint an API key and print the config entry that holds only its hash.',
  usage: `waymark api-keys create --product P --roles ROLE[,ROLE] [--envs ENV[,ENV]|*] [--name NAME] [--rate PER_SECOND:BURST]

Roles: ${API_KEY_ROLES.join(', ')}. Prints JSON { key, entry }: give "key" to its user (it is shown once),
add "entry" to "apiKeys" in waymark.config.json and restart the API.`,
  options: { product: { type: 'string' }, roles: { type: 'string' }, envs: { type: 'string' }, name: { type: 'string' }, rate: { type: 'string' } },
  async run(values, _positionals, io) {
    const minted = mintApiKey();
    const rate = values.rate as string | undefined;
    const [perSecond, burst] = rate ? rate.split(':').map(Number) : [];
    const candidate = {
      id: minted.id,
      name: (values.name as string | undefined) ?? `${values.product} ${values.roles}`,
      product: values.product,
      envs: ((values.envs as string | undefined) ?? '*').split(','),
      roles: ((values.roles as string | undefined) ?? '').split(',').filter(Boolean),
      secretHash: minted.secretHash,
      ...(rate ? { rateLimit: { perSecond, burst } } : {}),
    };
    const parsed = apiKeyEntrySchema.safeParse(candidate);
    if (!parsed.success) {
      throw new UsageError(
        parsed.error.issues.map((issue) => `--${issue.path[0] === 'rateLimit' ? 'rate' : String(issue.path[0])}: ${issue.message}`).join('\n'),
      );
    }
    const entry: ApiKeyEntry = parsed.data;
    io.out(JSON.stringify({ key: minted.key, entry }, null, 2));
    io.err('the key is shown once and stored nowhere; only its hash goes into the config');
    return EXIT.ok;
  },
};
