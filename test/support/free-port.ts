import { createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago: bound to port 0, read, released. Another
 * process may take it before the caller binds it, so callers that can retry do.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
