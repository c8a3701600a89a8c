import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { WaymarkClient } from '@waymark/sdk';
import { AddressInfo } from 'node:net';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { TEST_KEY } from '../support/api-app';
import { DistributedStack, startDistributedStack } from '../support/distributed-stack';
import { DpopClient } from '../support/dpop-client';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const scope = { product: 'my-product-tag', env: 'snd', tag: 'dpop-across' };
const ORDERS = 'https://shop.example.com/api/orders';

/**
 * DPoP in distributed mode: the jti of an accepted proof is remembered in the Redis the
 * API instances share, so a proof replayed to another instance is refused there too.
 */
describe('distributed mode: DPoP proof replay across two API instances', () => {
  let stack: DistributedStack;
  const apis: NestFastifyApplication[] = [];
  let a: WaymarkClient;
  let b: WaymarkClient;
  const dirs = [makeTempDir('dpop-a'), makeTempDir('dpop-b')];

  beforeAll(async () => {
    stack = await startDistributedStack();
    const clients: WaymarkClient[] = [];
    for (const dir of dirs) {
      const app = await createApiApp(
        loadApiConfig({
          ...stack.env,
          DATA_DIR: dir.path,
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'silent',
          NODE_ENV: 'test',
          WAYMARK_BOOTSTRAP_KEY: TEST_KEY,
        }),
      );
      await app.listen({ port: 0, host: '127.0.0.1' });
      apis.push(app);
      clients.push(new WaymarkClient({ baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`, apiKey: TEST_KEY }));
    }
    [a, b] = clients;
    await a.specs.create(scope.product, { tag: scope.tag, name: 'DPoP across instances', selector: 'userId', senderConstraint: 'dpop-required' });
  });

  afterAll(async () => {
    for (const app of apis) await app.close();
    await stack?.stop();
    for (const dir of dirs) dir.remove();
  });

  it('given a proof accepted by instance A, then instance B refuses the same proof, and takes a new one', async () => {
    const client = await DpopClient.create('ES256');
    const session = await a.sessions.start({ ...scope, data: { userId: 'dpop-across' }, jkt: client.jkt });
    const verifyOn = async (instance: WaymarkClient, proof: string) =>
      instance.sessions.verify({ ...scope, token: session.token, dpop: { proof, method: 'GET', url: ORDERS } });
    const proofFor = () => client.proof({ method: 'GET', url: ORDERS, accessToken: session.token });

    // B may learn of the new spec a moment after A created it: until then it answers for an unknown tag.
    await waitFor(
      async () => verifyOn(b, await proofFor()).catch(() => undefined),
      (verdict) => verdict?.valid === true,
      5_000,
      50,
    );

    const proof = await proofFor();
    expect(await verifyOn(a, proof)).toMatchObject({ valid: true, sessionId: session.sessionId });
    expect(await verifyOn(b, proof)).toEqual({ valid: false, reason: 'dpop', detail: 'the proof was already used (jti)' });
    expect(await verifyOn(a, proof)).toEqual({ valid: false, reason: 'dpop', detail: 'the proof was already used (jti)' });
    expect(await verifyOn(b, await proofFor())).toMatchObject({ valid: true });

    // And the other way round, with the refreshed token (still bound to the key).
    const refreshed = await b.sessions.refresh({ ...scope, refreshToken: session.refreshToken });
    const next = await client.proof({ method: 'GET', url: ORDERS, accessToken: refreshed.token });
    const onB = await b.sessions.verify({ ...scope, token: refreshed.token, dpop: { proof: next, method: 'GET', url: ORDERS } });
    const onA = await a.sessions.verify({ ...scope, token: refreshed.token, dpop: { proof: next, method: 'GET', url: ORDERS } });
    expect([onB.valid, onA]).toEqual([true, { valid: false, reason: 'dpop', detail: 'the proof was already used (jti)' }]);
  });
});
