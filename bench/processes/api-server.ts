import 'reflect-metadata';
import { AddressInfo } from 'node:net';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { loadApiConfig } from '../../apps/api/src/config/api.config';

/**
 * The shipped API (createApiApp, the same factory main.ts uses), configured from the
 * environment like main.ts, plus one bench-only route registered here on the Fastify
 * instance: `GET` and `POST /bench/ceiling` answer a constant through the same hooks
 * (request id, access log; the POST through the JSON body parser too), which measures
 * what the HTTP stack alone allows in this process.
 */
async function main(): Promise<void> {
  const config = loadApiConfig();
  const app = await createApiApp(config);
  app
    .getHttpAdapter()
    .getInstance()
    .get('/bench/ceiling', (_request, reply) => {
      void reply.send({ ok: true });
    })
    .post('/bench/ceiling', (_request, reply) => {
      void reply.send({ ok: true });
    });
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.getHttpServer().address() as AddressInfo;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    // process.exit (not a signal) so that --cpu-prof writes its profile.
    process.exit(0);
  };
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void stop();
    // Marks let the runner cut a CPU profile to the load window: V8 stamps samples
    // with the same monotonic clock as process.hrtime.
    if (message.type === 'mark') process.send?.({ type: 'marked', us: Number(process.hrtime.bigint() / 1000n) });
  });
  process.on('disconnect', () => void stop());
  process.send?.({ type: 'ready', url: `http://${config.host}:${port}`, pid: process.pid });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
