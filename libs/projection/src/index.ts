export * from './events.projection';
export * from './projector';
export * from './projector.module';
