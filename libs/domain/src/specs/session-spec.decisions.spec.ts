import { SessionSpec } from './session-spec';
import { decideCreateSpec, decideDeleteSpec, decideUpdateSpec } from './session-spec.decisions';

const spec: SessionSpec = {
  tag: 'checkout',
  name: 'Checkout',
  selector: 'userId',
  expiry: { value: 1, unit: 'hours' },
  refreshExpiry: { value: 1, unit: 'days' },
};
const context = { product: 'shop', env: '*', now: Date.UTC(2026, 0, 1), eventId: '01900000-0000-7000-8000-000000000009', meta: { source: 'test' } };

describe('session spec decisions', () => {
  it('creates at revision 1 with a product-level event (no session, no user)', () => {
    const { stored, event } = decideCreateSpec(undefined, spec, context);
    expect(stored).toEqual({ product: 'shop', spec, revision: 1, deleted: false });
    expect(event).toMatchObject({
      type: 'SessionSpecCreated',
      tag: 'checkout',
      identifier: '',
      sessionId: '00000000-0000-0000-0000-000000000000',
      data: { spec, revision: 1 },
    });
  });

  it('refuses a duplicate tag, but lets a deleted tag be defined again', () => {
    const created = decideCreateSpec(undefined, spec, context).stored;
    expect(() => decideCreateSpec(created, spec, context)).toThrow('already exists');
    const deleted = decideDeleteSpec(created, 'checkout', context).stored;
    expect(decideCreateSpec(deleted, spec, context).stored.revision).toBe(3);
  });

  it('updates with an optional revision guard', () => {
    const created = decideCreateSpec(undefined, spec, context).stored;
    expect(decideUpdateSpec(created, { ...spec, name: 'v2' }, 1, context).stored).toMatchObject({ revision: 2, spec: { name: 'v2' } });
    expect(() => decideUpdateSpec(created, spec, 5, context)).toThrow('revision 1, not 5');
    expect(() => decideUpdateSpec(undefined, spec, undefined, context)).toThrow('not defined');
  });
});
