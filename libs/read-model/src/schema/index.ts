export * from './table-definition';
export * from './event-kinds';
export * from './derived-tables';
export * from './tables';
