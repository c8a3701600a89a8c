export * from './group-commit-writer';
export * from './data-dir-lock';
export * from './sqlite-database';
export * from './write-failure-state';
