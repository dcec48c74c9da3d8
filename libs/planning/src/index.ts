export * from './companies.repository.js';
export * from './planning.module.js';
export * from './row-visibility.js';
export * from './sheet-import/sheet-import.js';
export * from './spreadsheets.service.js';
export * from './touchpoints.service.js';
