import { ConfigError } from '@waymark/config';
import { retentionSettingsFrom } from './retention-settings';

describe('retentionSettingsFrom', () => {
  it('defaults to a pass an hour in batches of 2,000 rows; 0 turns passes off', () => {
    expect(retentionSettingsFrom({})).toEqual({ intervalMs: 3_600_000, batchRows: 2000 });
    expect(retentionSettingsFrom({ RETENTION_INTERVAL_SECONDS: '0', RETENTION_BATCH_ROWS: '' })).toEqual({ intervalMs: 0, batchRows: 2000 });
  });

  it('refuses a bad value naming the variable', () => {
    expect(() => retentionSettingsFrom({ RETENTION_INTERVAL_SECONDS: 'hourly' })).toThrow(ConfigError);
    expect(() => retentionSettingsFrom({ RETENTION_INTERVAL_SECONDS: 'hourly' })).toThrow(/^RETENTION_INTERVAL_SECONDS: /);
    expect(() => retentionSettingsFrom({ RETENTION_BATCH_ROWS: '0' })).toThrow(/^RETENTION_BATCH_ROWS: /);
  });
});
