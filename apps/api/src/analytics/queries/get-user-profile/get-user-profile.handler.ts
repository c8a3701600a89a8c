import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Logger } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock, DomainError, SessionCatalog } from '@waymark/domain';
import { CLICKHOUSE, QueryLimits, UserProfileRepository } from '@waymark/read-model';
import { DataSealer } from '@waymark/tokens';
import { CLOCK } from '../../../shared/domain.providers';
import { ANALYTICS_LIMITS } from '../../analytics-limits';
import { resolveScope } from '../../analytics-access';
import { GetUserProfileQuery, UserProfile } from './get-user-profile.query';

@QueryHandler(GetUserProfileQuery)
export class GetUserProfileHandler implements IQueryHandler<GetUserProfileQuery, UserProfile> {
  private readonly profiles: UserProfileRepository;
  private readonly logger = new Logger('analytics');

  constructor(
    private readonly catalog: SessionCatalog,
    private readonly sealer: DataSealer,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(ANALYTICS_LIMITS) limits: QueryLimits,
  ) {
    this.profiles = new UserProfileRepository(clickhouse, limits);
  }

  async execute({ params, access }: GetUserProfileQuery): Promise<UserProfile> {
    resolveScope(this.catalog, access, params.product, params.env, params.tag);
    const key = { product: params.product, env: params.env, tag: params.tag, identifier: params.identifier };
    const found = await this.profiles.find(key, this.clock(), params.sessions);
    if (!found) {
      throw DomainError.forField('SESSION_NOT_FOUND', 'identifier', `no sessions of '${params.identifier}' in this product, env and tag`);
    }
    const { latestSealedData, ...profile } = found;
    if (!access.canReadData) return { ...profile, data: null, dataRedacted: true };
    return { ...profile, data: await this.open(latestSealedData), dataRedacted: false };
  }

  private async open(sealed: string | null): Promise<Record<string, unknown> | null> {
    if (sealed === null) return null;
    try {
      return await this.sealer.open(sealed);
    } catch (error) {
      // Sealed with a key since retired from the ring: the profile is still worth answering.
      this.logger.warn({ err: error }, 'latest session data could not be opened');
      return null;
    }
  }
}
