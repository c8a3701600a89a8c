import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CLICKHOUSE } from '@waymark/read-model';
import { TimeZones, useTimeZones } from './time-zones';

/** Start-up must not wait long on a read model that is not there; the analytics would fail anyway. */
const LOAD_TIMEOUT_MS = 5_000;

/**
 * Learns once, at start-up, which zone names the read model's ClickHouse knows, and
 * keeps the ones Intl knows too. A ClickHouse that cannot be asked leaves the Intl-only
 * check in force (logged): a zone ClickHouse then lacks fails that one query.
 */
@Injectable()
export class TimeZoneCatalog implements OnApplicationBootstrap {
  private readonly logger = new Logger('analytics');

  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const result = await this.clickhouse.query({
        query: 'SELECT time_zone FROM system.time_zones',
        format: 'JSONCompactEachRow',
        abort_signal: AbortSignal.timeout(LOAD_TIMEOUT_MS),
      });
      const rows = await result.json<[string]>();
      const zones = TimeZones.knownToBoth(rows.map(([name]) => name));
      useTimeZones(zones);
      this.logger.debug({ zones: zones.size }, 'time zones known to both Intl and ClickHouse');
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read system.time_zones; tz is checked against Intl only until the next start');
    }
  }
}
