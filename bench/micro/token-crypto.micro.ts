import { createSecretKey, randomBytes } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { CompactJwe } from '@waymark/tokens';

/**
 * A/B in one process: a session token minted and opened by jose (what Waymark used
 * until 2026-11-26) and by CompactJwe (what it uses now), alternating rounds so both
 * see the same machine. Prints µs per operation (wall; the loop is CPU-bound).
 *
 *   node -r ./bench/support/ts-register.js bench/micro/token-crypto.micro.ts [operations per round]
 */
const key = createSecretKey(randomBytes(32));
const ring = { activeKid: 'k1', activeKey: key, keyFor: (kid: unknown) => (kid === 'k1' ? key : undefined), kids: () => ['k1'] };
const compact = new CompactJwe(ring, 'wm-session+jwt');
const header = { alg: 'dir', enc: 'A256GCM', kid: 'k1', typ: 'wm-session+jwt' } as const;
const claims = {
  sid: '0193a8c4-1111-7222-8333-444455556666',
  tag: 'session-tag',
  data: { userId: '1919102009383', details: { username: 'feekayo', email: 'fikayo@ductape.app' } },
};
const payload = { ...claims, sub: '1919102009383', iss: 'waymark', aud: 'my-product-tag:snd', iat: 1_780_000_000, exp: 2_000_000_000 };

async function perOp(operations: number, op: () => unknown): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < operations; i += 1) await op();
  return Number(process.hrtime.bigint() - started) / 1e3 / operations;
}

async function main(): Promise<void> {
  const operations = Number(process.argv[2] ?? 20_000);
  const joseToken = await new EncryptJWT(claims)
    .setProtectedHeader(header)
    .setSubject(payload.sub)
    .setIssuer(payload.iss)
    .setAudience(payload.aud)
    .setIssuedAt(payload.iat)
    .setExpirationTime(payload.exp)
    .encrypt(key);
  const compactToken = compact.encrypt(JSON.stringify(payload));
  const results: Record<string, number[]> = { 'jose mint': [], 'compact mint': [], 'jose open + claims': [], 'compact open + JSON.parse': [] };
  for (let round = 0; round < 4; round += 1) {
    results['jose mint'].push(
      await perOp(operations, () =>
        new EncryptJWT(claims)
          .setProtectedHeader(header)
          .setSubject(payload.sub)
          .setIssuer(payload.iss)
          .setAudience(payload.aud)
          .setIssuedAt(payload.iat)
          .setExpirationTime(payload.exp)
          .encrypt(key),
      ),
    );
    results['compact mint'].push(await perOp(operations, () => compact.encrypt(JSON.stringify(payload))));
    results['jose open + claims'].push(
      await perOp(operations, () =>
        jwtDecrypt(joseToken, key, {
          issuer: 'waymark',
          audience: payload.aud,
          typ: header.typ,
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
        }),
      ),
    );
    results['compact open + JSON.parse'].push(await perOp(operations, () => JSON.parse(compact.decrypt(compactToken) as string)));
    process.stderr.write(`\rround ${round + 1}/4`);
  }
  process.stderr.write('\n');
  for (const [name, values] of Object.entries(results)) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(`${name.padEnd(26)} median ${((sorted[1] + sorted[2]) / 2).toFixed(1)} µs  (rounds: ${values.map((v) => v.toFixed(1)).join(', ')})`);
  }
}

void main();
