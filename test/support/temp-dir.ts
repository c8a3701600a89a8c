import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory per test file, removed by the returned cleanup. */
export function makeTempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `waymark-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
