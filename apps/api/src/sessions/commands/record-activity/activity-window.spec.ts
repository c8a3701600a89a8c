import { DomainError } from '@waymark/domain';
import { checkActivityWindow } from './activity-window';

const NOW = Date.parse('2026-12-03T10:00:00Z');
const WINDOW = { maxAgeMs: 30 * 86_400_000, maxFutureMs: 10 * 60_000 };

function refusal(run: () => void): DomainError {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('accepted');
}

describe('checkActivityWindow', () => {
  it('takes records inside the window, at its edges, and without occurredAt', () => {
    const records = [{}, { occurredAt: NOW - WINDOW.maxAgeMs }, { occurredAt: NOW + WINDOW.maxFutureMs }];
    expect(() => checkActivityWindow(records, NOW, WINDOW, 'records')).not.toThrow();
  });

  it('names every record outside it, too old or too far ahead', () => {
    const error = refusal(() =>
      checkActivityWindow(
        [{ occurredAt: NOW }, { occurredAt: NOW - WINDOW.maxAgeMs - 1 }, { occurredAt: NOW + WINDOW.maxFutureMs + 1 }],
        NOW,
        WINDOW,
        'records',
      ),
    );
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.fieldErrors).toEqual([
      { field: 'records.1.occurredAt', message: expect.stringContaining('more than 30 days before') },
      { field: 'records.2.occurredAt', message: expect.stringContaining('more than 10 minutes after') },
    ]);
  });

  it('names a single record by the field it came in', () => {
    expect(refusal(() => checkActivityWindow([{ occurredAt: 0 }], NOW, WINDOW, 'record')).fieldErrors[0].field).toBe('record.occurredAt');
  });
});
