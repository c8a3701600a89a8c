import { SetMetadata } from '@nestjs/common';
import { ApiKeyRole } from '@waymark/config';

export const REQUIRED_ROLE = 'waymark:required-role';

/**
 * The API-key role a route needs, or the roles any one of which will do (a session's
 * lineage: `secret` or `admin`); routes without it (health, docs) are public. A method's
 * roles replace its controller's.
 */
export const RequireRole = (...roles: [ApiKeyRole, ...ApiKeyRole[]]) => SetMetadata(REQUIRED_ROLE, roles);
