export * from './allowed-keys';
export * from './config-file-problems';
export * from './known-waymark-variables';
export * from './nearest-name';
