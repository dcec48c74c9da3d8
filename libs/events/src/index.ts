export * from './event-import.js';
export * from './event-json.js';
export * from './event-time.js';
export * from './events.module.js';
export * from './events.queries.js';
export * from './events.service.js';
