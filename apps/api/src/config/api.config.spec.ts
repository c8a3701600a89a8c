import { KNOWN_WAYMARK_VARIABLES } from '@waymark/config';
import { projectorEnvSchema } from '../../../projector/src/config/projector.config';
import { apiEnvSchema, loadApiConfig } from './api.config';

describe('the API environment: WAYMARK_* names are checked against one list for all our programs', () => {
  it('knows every WAYMARK_* setting the API and the projector read', () => {
    const read = [...Object.keys(apiEnvSchema.shape), ...Object.keys(projectorEnvSchema.shape)].filter((name) => name.startsWith('WAYMARK_'));
    expect(read.length).toBeGreaterThan(0);
    expect(KNOWN_WAYMARK_VARIABLES).toEqual(expect.arrayContaining(read));
  });

  it('refuses a misspelt one, naming the setting it was meant to be', () => {
    expect(() => loadApiConfig({ WAYMARK_BOOTSTRAPKEY: 'a-long-enough-bootstrap-key' })).toThrow(
      'WAYMARK_BOOTSTRAPKEY: unknown environment variable; did you mean "WAYMARK_BOOTSTRAP_KEY"?',
    );
  });

  it("accepts the CLI's variables, exported in the same shell", () => {
    expect(() => loadApiConfig({ WAYMARK_URL: 'http://localhost:3000', WAYMARK_API_KEY: 'x' })).not.toThrow();
  });
});
