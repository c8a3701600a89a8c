export * from './group-commit-writer';
export * from './sqlite-database';
