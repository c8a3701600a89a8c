import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { createHash } from 'node:crypto';
import { DpopKeyCache, DpopProofVerifier, MemoryDpopReplayGuard, checkDpopProof } from '@waymark/tokens';

/**
 * What checking one DPoP proof costs (docs/dpop.md, "Cost"): the checks alone
 * (`checkDpopProof`, the key imported once and cached by thumbprint) and the whole
 * verifier with the in-memory jti guard, per algorithm a client may use. Proofs are made
 * with jose beforehand, each with its own jti; only the checking is on the clock.
 *
 *   node -r ./bench/support/ts-register.js bench/micro/dpop-proof.micro.ts [proofs per algorithm, default 3000]
 */
async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 3000);
  const url = 'https://shop.example.com/api/orders';
  const token = 'x'.repeat(600);
  const ath = createHash('sha256').update(token).digest('base64url');
  const algorithms: Array<[string, { crv?: string; modulusLength?: number }]> = [
    ['ES256', {}],
    ['EdDSA', { crv: 'Ed25519' }],
    ['RS256', { modulusLength: 2048 }],
  ];
  for (const [alg, options] of algorithms) {
    const { publicKey, privateKey } = await generateKeyPair(alg, options);
    const jwk = await exportJWK(publicKey);
    const jkt = await calculateJwkThumbprint(jwk);
    const proofs: string[] = [];
    for (let i = 0; i < count; i += 1) {
      proofs.push(
        await new SignJWT({ htm: 'GET', htu: url, ath }).setProtectedHeader({ alg, typ: 'dpop+jwt', jwk }).setJti(`jti-${i}`).setIssuedAt().sign(privateKey),
      );
    }
    const now = Date.now();
    const binding = { jkt, accessToken: token };
    const keys = new DpopKeyCache();
    for (let i = 0; i < Math.min(200, count); i += 1) checkDpopProof({ proof: proofs[i], method: 'GET', url }, binding, now, keys);
    let started = process.cpuUsage();
    for (const proof of proofs) {
      if (!checkDpopProof({ proof, method: 'GET', url }, binding, now, keys).valid) throw new Error('a good proof was refused');
    }
    const checkUs = cpuUs(started) / count;
    const verifier = new DpopProofVerifier(new MemoryDpopReplayGuard());
    started = process.cpuUsage();
    for (const proof of proofs) {
      if (!(await verifier.verify({ proof, method: 'GET', url }, binding, now)).valid) throw new Error('a good proof was refused');
    }
    const verifyUs = cpuUs(started) / count;
    process.stdout.write(
      `${alg.padEnd(6)} checks ${checkUs.toFixed(1).padStart(6)} µs CPU per proof; with the memory jti guard ${verifyUs.toFixed(1).padStart(6)} µs\n`,
    );
  }
}

function cpuUs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

void main();
