import { Logger } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@waymark/domain';
import { UserProfileRepository } from '@waymark/read-model';
import { UserDataOpener } from '@waymark/privacy';
import { AnalyticsRequests, userKeyOf } from '../../analytics-request';
import { GetUserProfileQuery, UserProfile } from './get-user-profile.query';

@QueryHandler(GetUserProfileQuery)
export class GetUserProfileHandler implements IQueryHandler<GetUserProfileQuery, UserProfile> {
  private readonly logger = new Logger('analytics');

  constructor(
    private readonly requests: AnalyticsRequests,
    private readonly profiles: UserProfileRepository,
    private readonly opener: UserDataOpener,
  ) {}

  async execute({ params, access }: GetUserProfileQuery): Promise<UserProfile> {
    const { now } = this.requests.scoped(params, access);
    const found = await this.profiles.find(userKeyOf(params), now, params.sessions);
    if (!found) {
      throw DomainError.forField('SESSION_NOT_FOUND', 'identifier', `no sessions of '${params.identifier}' in this product, env and tag`);
    }
    const { latestSealedData, ...profile } = found;
    if (!access.canReadData) return { ...profile, data: null, dataRedacted: true };
    return { ...profile, data: await this.open(params.product, params.identifier, latestSealedData), dataRedacted: false };
  }

  private async open(product: string, identifier: string, sealed: string | null): Promise<Record<string, unknown> | null> {
    if (sealed === null) return null;
    const data = await this.opener.open(product, identifier, sealed);
    // Sealed with a token key since retired from the ring: the profile is still worth answering.
    if (data === undefined) this.logger.warn('latest session data could not be opened');
    return data ?? null;
  }
}
