export * from './session-lineage';
export * from './session-lineage.repository';
