/**
 * `npm run lint:openapi`: builds the OpenAPI document from the API's routes and contract
 * (without starting the app), writes it to .tmp/openapi.json and lints it with Redocly's
 * recommended rules (redocly.yaml). Fails on any error.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApiDocument } from '../../apps/api/src/openapi/api-document';

const root = join(__dirname, '..', '..');
const out = join(root, '.tmp', 'openapi.json');
mkdirSync(join(root, '.tmp'), { recursive: true });
writeFileSync(out, `${JSON.stringify(buildApiDocument(), null, 2)}\n`);
console.log(`wrote ${out}`);

const redocly = join(root, 'node_modules', '.bin', 'redocly');
const result = spawnSync(redocly, ['lint', '--config', join(root, 'redocly.yaml'), out], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
