import { acceptedTimeZones } from '../../apps/api/src/analytics/time-zones';
import { AUTH, RunningApi, getJson, readJson, startApi } from '../support/api-app';

const SCOPE = 'product=my-product-tag&tag=session-tag';

describe('analytics query parameters at the edge', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  const get = (path: string) => getJson(`${api.baseUrl}${path}`, AUTH);

  async function expectRefused(path: string, field: string): Promise<void> {
    const response = await get(path);
    const body = await readJson(response);
    expect({ status: response.status, field: body.errors?.[0]?.field }).toEqual({ status: 400, field });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  }

  it.each(['Asia/Kolkata', 'Asia/Calcutta', 'Europe/Kyiv', 'Europe/Kiev', 'Etc/UTC', 'UTC', 'America/Argentina/Buenos_Aires', 'Australia/Lord_Howe'])(
    'takes tz=%s, current IANA names and aliases alike (current names answered 400)',
    async (tz) => {
      const users = await get(`/v1/analytics/users?${SCOPE}&tz=${encodeURIComponent(tz)}&from=2026-11-01`);
      expect(users.status).toBe(200);
      const dashboard = await get(`/v1/analytics/dashboard?${SCOPE}&tz=${encodeURIComponent(tz)}`);
      expect(dashboard.status).toBe(200);
    },
  );

  it.each(['Mars/Olympus', 'Factory', 'asia/kolkata', "UTC') OR 1=1 --"])('refuses tz=%s, which Intl or ClickHouse does not know', async (tz) => {
    await expectRefused(`/v1/analytics/users?${SCOPE}&tz=${encodeURIComponent(tz)}`, 'tz');
  });

  it('learned the zones from the read model at start, and refuses a zone Intl knows but ClickHouse does not', async () => {
    expect(acceptedTimeZones().source).toBe('clickhouse');
    // Depends on the two tz databases shipped; on this machine Node knows America/Coyhaique and chDB does not.
    const intlOnly = Intl.supportedValuesOf('timeZone').filter((name) => !acceptedTimeZones().has(name));
    for (const name of intlOnly.slice(0, 3)) await expectRefused(`/v1/analytics/users?${SCOPE}&tz=${encodeURIComponent(name)}`, 'tz');
  });

  it('refuses from/to outside what the read model stores, naming the bound (very old or far dates answered 500)', async () => {
    await expectRefused(`/v1/analytics/users?${SCOPE}&to=9999-12-31`, 'to');
    await expectRefused(`/v1/analytics/users?${SCOPE}&from=1800-01-01T00:00:00Z`, 'from');
    await expectRefused(`/v1/analytics/dashboard?${SCOPE}&from=0001-01-01&to=2026-01-01`, 'from');
    await expectRefused(`/v1/analytics/users/journey?${SCOPE}&env=snd&identifier=u&from=1900-01-01`, 'from');
    await expectRefused(`/v1/analytics/funnel?${SCOPE}&steps=a,b&to=2200-01-01T00:00:00Z`, 'to');
    // Inside in UTC, outside once read in the zone:
    await expectRefused(`/v1/analytics/users?${SCOPE}&from=1970-01-01&to=1970-01-05&tz=Asia/Kolkata`, 'from');
    expect((await get(`/v1/analytics/users?${SCOPE}&from=1970-01-01&to=1970-01-05`)).status).toBe(200);
  });

  it('refuses control characters in identifiers and names it filters on', async () => {
    await expectRefused(`/v1/analytics/users/journey?${SCOPE}&env=snd&identifier=${encodeURIComponent('u\n1')}`, 'identifier');
    await expectRefused(`/v1/analytics/funnel?${SCOPE}&steps=${encodeURIComponent('a\u0000,b')}`, 'steps.0');
  });
});
