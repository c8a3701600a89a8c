/** The request fields moved to the contract (libs/contract); kept here for the imports that name this file. */
export {
  MAX_SESSION_DATA_BYTES,
  STORABLE_RANGE_MESSAGE,
  depthAtMost,
  identifierField,
  keyField,
  sessionDataField,
  slugField,
  storableInstantField,
  textField,
} from '@waymark/contract';
