import { Server, createServer } from 'node:net';
import { assertPortAvailable, explainListenError } from './port-check';
import { StartupError } from './startup-error';

describe('the port check: one line naming PORT and HOST', () => {
  let taken: Server;
  let port: number;

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen({ port: 0, host: '127.0.0.1' }, resolve));
    port = (taken.address() as { port: number }).port;
  });

  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('refuses a port another process listens on', async () => {
    await expect(assertPortAvailable(port, '127.0.0.1')).rejects.toEqual(new StartupError('PORT', `PORT ${port} is in use (HOST 127.0.0.1)`));
  });

  it('lets a free port go again, so the app can take it', async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const freePort = (free.address() as { port: number }).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    await expect(assertPortAvailable(freePort, '127.0.0.1')).resolves.toBeUndefined();
    await expect(assertPortAvailable(freePort, '127.0.0.1')).resolves.toBeUndefined();
  });

  it('does not check port 0 (any free port)', async () => {
    await expect(assertPortAvailable(0, '127.0.0.1')).resolves.toBeUndefined();
  });

  it('explains the listen errors an operator can fix, and leaves the rest alone', () => {
    const failure = (code: string) => Object.assign(new Error(code), { code });
    expect(explainListenError(failure('EADDRINUSE'), 3000, '0.0.0.0')?.message).toBe('PORT 3000 is in use (HOST 0.0.0.0)');
    expect(explainListenError(failure('EACCES'), 80, '0.0.0.0')?.message).toBe('PORT 80 needs privileges to listen on (HOST 0.0.0.0)');
    expect(explainListenError(failure('EADDRNOTAVAIL'), 3000, '10.9.9.9')?.setting).toBe('HOST');
    expect(explainListenError(failure('EMFILE'), 3000, '0.0.0.0')).toBeUndefined();
  });
});
