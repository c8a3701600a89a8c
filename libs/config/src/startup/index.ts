export * from './failure-line';
export * from './port-check';
export * from './quiet-until-listening.logger';
export * from './startup-error';
