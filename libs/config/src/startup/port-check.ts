import { createServer } from 'node:net';
import { StartupError } from './startup-error';

/** The one-line reason a listen failed, naming PORT and HOST, or undefined when it is not about them. */
export function explainListenError(error: unknown, port: number, host: string): StartupError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new StartupError('PORT', `PORT ${port} is in use (HOST ${host})`);
  if (code === 'EACCES') return new StartupError('PORT', `PORT ${port} needs privileges to listen on (HOST ${host})`);
  if (code === 'EADDRNOTAVAIL') return new StartupError('HOST', `HOST ${host} is not an address of this machine (PORT ${port})`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new StartupError('HOST', `HOST ${host} does not resolve (PORT ${port})`);
  return undefined;
}

/**
 * Fails fast when the port cannot be had, before the stores are opened: an app that
 * only finds out at listen() has loaded chDB, run its start-up hooks and logged as if
 * it were starting. Taking the port and letting it go leaves a window in which another
 * process may take it, so listen() failures are still explained (explainListenError);
 * this check only makes the common case quick and quiet. Port 0 (any free port) cannot
 * be taken and is not checked.
 */
export async function assertPortAvailable(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => reject(explainListenError(error, port, host) ?? error));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
