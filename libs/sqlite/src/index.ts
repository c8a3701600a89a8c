export * from './group-commit-writer';
export * from './sqlite-database';
export * from './write-failure-state';
