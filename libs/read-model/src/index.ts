export * from './clickhouse-client.factory';
export * from './event-rows';
export { insertRows, type RowsInsert } from './insert-rows';
export * from './journeys/journey.repository';
export * from './migrations';
export * from './read-model-migrator';
export * from './schema';
export * from './analytics';
export * from './erasure';
