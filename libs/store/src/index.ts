export * from './data-source.factory.js';
export * from './migrate.js';
export * from './migrations.js';
export * from './pg-errors.js';
export * from './schema-values.js';
export * from './store.module.js';
export * from './store.service.js';
export * from './prepared-data-dir.js';
