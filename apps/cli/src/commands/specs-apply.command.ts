import { sessionSpecSchema } from '@waymark/config';
import { SessionSpecInput, WaymarkClient } from '@waymark/sdk';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CliCommand, EXIT, UsageError } from '../cli-command';

/** The declarative file: the specs a product should have. */
const specFileSchema = z.object({ product: z.string().min(1), sessions: z.array(sessionSpecSchema) }).strict();

type Change = { action: 'create' | 'update' | 'delete' | 'unchanged'; tag: string; revision?: number };

/**
 * Makes a running Waymark's specs match a file, through the admin API (so it works
 * while the service runs, in either mode): creates what is missing, updates what
 * differs (guarded by the revision it read), and with --prune deletes the rest.
 */
export const specsApplyCommand: CliCommand = {
  name: 'specs apply',
  summary: 'Apply a declarative session-spec file to a running Waymark.',
  usage: `waymark specs apply FILE [--url URL] [--key KEY] [--prune] [--dry-run]

FILE: { "product": "my-product-tag", "sessions": [ { "tag": ..., "name": ..., "selector": ..., "expiry": ..., "refreshExpiry": ..., "schema": ... } ] }
--url defaults to $WAYMARK_URL or http://localhost:3000; --key to $WAYMARK_API_KEY (an admin key).`,
  options: { url: { type: 'string' }, key: { type: 'string' }, prune: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  async run(values, positionals, io) {
    const [path] = positionals;
    if (!path) throw new UsageError('FILE is required');
    let file: z.infer<typeof specFileSchema>;
    try {
      const parsed = specFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
      file = parsed.data;
    } catch (error) {
      throw new UsageError(`${path}: ${(error as Error).message}`);
    }
    const apiKey = (values.key as string | undefined) ?? io.env.WAYMARK_API_KEY;
    if (!apiKey) throw new UsageError('--key or WAYMARK_API_KEY is required');
    const client = new WaymarkClient({ baseUrl: (values.url as string | undefined) ?? io.env.WAYMARK_URL ?? 'http://localhost:3000', apiKey });

    const current = new Map((await client.specs.list(file.product)).specs.map((stored) => [stored.spec.tag, stored]));
    const changes: Change[] = [];
    for (const spec of file.sessions) {
      const existing = current.get(spec.tag);
      if (!existing) changes.push({ action: 'create', tag: spec.tag });
      else if (!sameSpec(existing.spec, spec)) changes.push({ action: 'update', tag: spec.tag, revision: existing.revision });
      else changes.push({ action: 'unchanged', tag: spec.tag });
    }
    if (values.prune) {
      for (const tag of current.keys()) if (!file.sessions.some((spec) => spec.tag === tag)) changes.push({ action: 'delete', tag });
    }

    for (const change of changes) {
      const spec = file.sessions.find((candidate) => candidate.tag === change.tag) as SessionSpecInput;
      if (!values['dry-run']) {
        if (change.action === 'create') await client.specs.create(file.product, spec);
        if (change.action === 'update') await client.specs.update(file.product, spec, change.revision);
        if (change.action === 'delete') await client.specs.delete(file.product, change.tag);
      }
      io.out(`${values['dry-run'] ? 'would ' : ''}${change.action} ${file.product}/${change.tag}`);
    }
    return EXIT.ok;
  },
};

function sameSpec(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, sortKeys(inner)]),
    );
  }
  return value;
}
