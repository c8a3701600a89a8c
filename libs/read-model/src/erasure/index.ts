export * from './user-rows';
export * from './user-rows-eraser';
