import { TimeZones, intlKnowsZone } from './time-zones';

describe('time zones accepted for tz', () => {
  it('takes current names and their old aliases that Intl resolves, before ClickHouse has answered', () => {
    const zones = TimeZones.intlOnly();
    for (const name of [
      'Asia/Kolkata',
      'Asia/Calcutta',
      'Europe/Kyiv',
      'Europe/Kiev',
      'Etc/UTC',
      'UTC',
      'GMT',
      'Etc/GMT+5',
      'EST5EDT',
      'America/Argentina/Buenos_Aires',
    ]) {
      expect([name, zones.has(name)]).toEqual([name, true]);
    }
  });

  it('refuses what is no zone, and spellings ClickHouse would not take', () => {
    const zones = TimeZones.intlOnly();
    for (const name of ['Mars/Olympus', "UTC') OR 1=1 --", 'asia/kolkata', '', 'Europe/Berlin ', '../etc'])
      expect([name, zones.has(name)]).toEqual([name, false]);
  });

  it('once ClickHouse has listed its zones, takes exactly those Intl also knows', () => {
    const zones = TimeZones.knownToBoth(['Asia/Kolkata', 'Asia/Calcutta', 'UTC', 'Factory']);
    expect(zones.has('Asia/Kolkata')).toBe(true);
    expect(zones.has('Asia/Calcutta')).toBe(true);
    // Known to ClickHouse only (Intl has no such zone):
    expect(intlKnowsZone('Factory')).toBe(false);
    expect(zones.has('Factory')).toBe(false);
    // Known to Intl only (not in ClickHouse's list):
    expect(zones.has('Europe/Berlin')).toBe(false);
    expect(zones.size).toBe(3);
  });
});
