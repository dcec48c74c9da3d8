export * from './domain-error.js';
export * from './error-vocabulary.js';
