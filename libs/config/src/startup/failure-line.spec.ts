import { ConfigError } from '../config-error';
import { startupFailureText } from './failure-line';
import { StartupError } from './startup-error';

describe('startupFailureText', () => {
  it('prints the reasons we give as one line, without a stack', () => {
    expect(startupFailureText('waymark', new StartupError('PORT', 'PORT 3000 is in use (HOST 0.0.0.0)'))).toBe(
      'waymark: failed to start: PORT 3000 is in use (HOST 0.0.0.0)\n',
    );
    expect(startupFailureText('waymark', new ConfigError('WAYMARK_X: unknown'))).toBe('waymark: failed to start: WAYMARK_X: unknown\n');
  });

  it('keeps the stack of an unexpected error, which is what there is to go on', () => {
    expect(startupFailureText('waymark-projector', new Error('boom'))).toMatch(/^waymark-projector: failed to start: Error: boom\n {4}at /);
  });
});
