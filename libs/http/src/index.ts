export * from './framework-refusals';
export * from './http-app';
export * from './json-body';
export * from './problem-details';
export * from './problem-details.filter';
export * from './route-methods';
export * from './shutdown-gate';
export * from './zod-validation.pipe';
