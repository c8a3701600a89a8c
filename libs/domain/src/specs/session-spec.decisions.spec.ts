import { EventMeta } from '../events/event-envelope';
import { SessionSpecCreated, SessionSpecDeleted } from '../events/session-events';
import { givenSpec } from '../testing/given-when-then';
import { SessionSpec } from './session-spec';
import { decideCreateSpec, decideDeleteSpec, decideUpdateSpec } from './session-spec.decisions';

const spec: SessionSpec = {
  tag: 'checkout',
  name: 'Checkout',
  selector: 'userId',
  expiry: { value: 1, unit: 'hours' },
  refreshExpiry: { value: 1, unit: 'days' },
};
const now = Date.UTC(2026, 0, 1);
const meta: EventMeta = { source: 'test' };
const context = { product: 'shop', env: '*', now, eventId: 'e-new', meta };
// Spec events concern a product: the nil session and no user.
const envelope = (id: string) => ({
  id,
  version: 1,
  occurredAt: new Date(now).toISOString(),
  product: 'shop',
  env: '*',
  tag: 'checkout',
  sessionId: '00000000-0000-0000-0000-000000000000',
  identifier: '',
  meta,
});
const created = (revision: number, id = `e-created-${revision}`): SessionSpecCreated => ({
  ...envelope(id),
  type: 'SessionSpecCreated',
  data: { spec, revision },
});
const deleted = (revision: number, id = `e-deleted-${revision}`): SessionSpecDeleted => ({ ...envelope(id), type: 'SessionSpecDeleted', data: { revision } });

describe('session spec decisions', () => {
  it('given nothing, when a spec is created, then SessionSpecCreated at revision 1', () => {
    const when = givenSpec().when((existing) => decideCreateSpec(existing, spec, context));
    when.then([created(1, 'e-new')]);
    expect(when.thenState()).toEqual({ product: 'shop', spec, revision: 1, deleted: false });
  });

  it('given a spec, when the tag is created again, then SESSION_SPEC_EXISTS', () => {
    givenSpec(created(1))
      .when((existing) => decideCreateSpec(existing, spec, context))
      .thenRefuses('SESSION_SPEC_EXISTS');
  });

  it('given a deleted spec, when the tag is created again, then SessionSpecCreated at the next revision', () => {
    givenSpec(created(1), deleted(2))
      .when((existing) => decideCreateSpec(existing, spec, context))
      .then([created(3, 'e-new')]);
  });

  it('given a spec at revision 1, when updated with revision 1, then SessionSpecUpdated at revision 2', () => {
    const v2 = { ...spec, name: 'v2' };
    const when = givenSpec(created(1)).when((existing) => decideUpdateSpec(existing, v2, 1, context));
    when.then([{ ...envelope('e-new'), type: 'SessionSpecUpdated', data: { spec: v2, revision: 2 } }]);
    expect(when.thenState()).toMatchObject({ revision: 2, spec: { name: 'v2' } });
  });

  it('given a spec at revision 1, when updated expecting revision 5, then SESSION_SPEC_CONFLICT; given none, then SPEC_NOT_FOUND', () => {
    givenSpec(created(1))
      .when((existing) => decideUpdateSpec(existing, spec, 5, context))
      .thenRefuses('SESSION_SPEC_CONFLICT');
    givenSpec()
      .when((existing) => decideUpdateSpec(existing, spec, undefined, context))
      .thenRefuses('SPEC_NOT_FOUND');
  });

  it('given a spec, when deleted, then SessionSpecDeleted; given a deleted one, then SPEC_NOT_FOUND', () => {
    const when = givenSpec(created(1)).when((existing) => decideDeleteSpec(existing, 'checkout', context));
    when.then([deleted(2, 'e-new')]);
    expect(when.thenState()).toEqual({ product: 'shop', spec, revision: 2, deleted: true });
    givenSpec(created(1), deleted(2))
      .when((existing) => decideDeleteSpec(existing, 'checkout', context))
      .thenRefuses('SPEC_NOT_FOUND');
  });
});
