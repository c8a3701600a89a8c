export * from './events.projection';
export * from './insert-refusal';
export * from './poison-bisection';
export * from './projector';
export * from './projector.module';
export * from './isolate-refusals';
