import { createReadModelClient } from '@waymark/read-model';
import { readFileSync } from 'node:fs';
async function main() {
  const c = createReadModelClient({ kind: 'chdb', path: '/tmp/seed-10m/clickhouse' });
  const queries = readFileSync(process.argv[2], 'utf8').split(';;').map((q) => q.trim()).filter(Boolean);
  for (const q of queries) {
    for (let i = 0; i < 2; i++) {
      const t = Date.now();
      try {
        const r = await c.query({ query: q, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
        const rows = await r.json();
        console.log(Date.now() - t, 'ms', JSON.stringify(rows).slice(0, 300));
      } catch (e) { console.log('ERR', (e as Error).message.slice(0, 300)); break; }
    }
  }
  await c.close();
}
main();
