import { SetMetadata } from '@nestjs/common';
import { ApiKeyRole } from '@waymark/config';

export const REQUIRED_ROLE = 'waymark:required-role';

/** The API-key role a route needs; routes without it (health, docs) are public. */
export const RequireRole = (role: ApiKeyRole) => SetMetadata(REQUIRED_ROLE, role);
