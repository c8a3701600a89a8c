/** The session requests' schemas live in the contract (libs/contract/src/sessions.ts). */
export {
  MAX_ACTIVITY_RECORDS,
  MAX_EXTENSION_MS,
  activityRecordSchema,
  extendSessionBodySchema,
  listActiveQuerySchema,
  recordActivityBodySchema,
  refreshSessionBodySchema,
  revokeSessionsBodySchema,
  startSessionBodySchema,
  verifySessionBodySchema,
} from '@waymark/contract';
export type {
  ExtendSessionBody,
  ListActiveQuery,
  RecordActivityBody,
  RefreshSessionBody,
  RevokeSessionsBody,
  StartSessionBody,
  VerifySessionBody,
} from '@waymark/contract';
