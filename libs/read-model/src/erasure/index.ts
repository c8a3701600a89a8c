export * from './user-rows';
export * from './user-rows-eraser';
export * from './user-export.reader';
