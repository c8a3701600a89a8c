import { Logger, LoggerService } from '@nestjs/common';
import { MESSAGES } from '@nestjs/core/constants';
import { QuietUntilListeningLogger } from './quiet-until-listening.logger';

describe('QuietUntilListeningLogger', () => {
  const lines: unknown[][] = [];
  const inner: LoggerService = {
    log: (...args: unknown[]) => lines.push(['log', ...args]),
    error: (...args: unknown[]) => lines.push(['error', ...args]),
    warn: (...args: unknown[]) => lines.push(['warn', ...args]),
  };

  beforeEach(() => {
    lines.length = 0;
    Logger.overrideLogger(new QuietUntilListeningLogger(inner));
  });

  afterAll(() => Logger.overrideLogger(false));

  it("drops Nest's 'successfully started', logged before the port is bound, and its own listen error", () => {
    const nest = new Logger('NestApplication', { timestamp: true });
    nest.log(MESSAGES.APPLICATION_READY);
    nest.error('Error: listen EADDRINUSE: address already in use 127.0.0.1:3000');
    expect(lines).toEqual([]);
  });

  it('passes everything else through, the same text from other contexts included', () => {
    new Logger('NestApplication').error('Error: something else');
    new Logger('main').log(MESSAGES.APPLICATION_READY);
    new Logger('auth').warn('careful');
    expect(lines).toEqual([
      ['error', 'Error: something else', undefined, 'NestApplication'],
      ['log', MESSAGES.APPLICATION_READY, 'main'],
      ['warn', 'careful', 'auth'],
    ]);
  });
});
