export * from './blob-store.js';
export * from './database-blob-store.js';
export * from './files.module.js';
export * from './files.service.js';
