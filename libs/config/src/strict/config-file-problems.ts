import { z } from 'zod';
import { allowedKeysAt } from './allowed-keys';
import { suggestion } from './nearest-name';

/** A path in the file as the messages print it: `(root)` or `products.0.sessions`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/**
 * The lines that say what is wrong with a config file. Unknown keys get a line each,
 * naming where they are and the nearest valid key: a misspelt member is otherwise
 * indistinguishable from one left out (a typo in `apiKeys` once meant open access).
 */
export function describeConfigFileProblems(schema: z.ZodType, source: string, issues: readonly z.core.$ZodIssue[]): string {
  const unknownKeys = issues
    .filter((issue): issue is z.core.$ZodIssueUnrecognizedKeys => issue.code === 'unrecognized_keys')
    .sort((a, b) => a.path.length - b.path.length)
    .flatMap((issue) =>
      issue.keys.map(
        (key) => `WAYMARK_CONFIG: ${source}: unknown key "${key}" at ${formatPath(issue.path)}${suggestion(key, allowedKeysAt(schema, issue.path))}`,
      ),
    );
  const others = issues.filter((issue) => issue.code !== 'unrecognized_keys').map((issue) => `  ${issue.path.map(String).join('.')}: ${issue.message}`);
  const invalid = others.length > 0 ? [`WAYMARK_CONFIG: ${source} is invalid:\n${others.join('\n')}`] : [];
  return [...unknownKeys, ...invalid].join('\n');
}
