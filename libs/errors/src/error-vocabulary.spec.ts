import { DomainError } from './domain-error.js';
import { ENTITY_NAMES, ISSUE_TYPES, issueKind, REASONS } from './error-vocabulary.js';

describe('the error vocabulary', () => {
  it('gives every field-issue type exactly one kind', () => {
    const types = Object.values(ISSUE_TYPES).flat();
    expect(new Set(types).size).toBe(types.length);
    expect(issueKind('int_parsing')).toBe('invalid_value');
    expect(issueKind(undefined)).toBe('invalid_value');
  });

  it('gives a refusal built without a reason the first of its code, and other codes none', () => {
    expect(new DomainError('UNAUTHENTICATED', 'm').reason).toBe(REASONS.UNAUTHENTICATED[0]);
    expect(new DomainError('FORBIDDEN', 'm').reason).toBe('not_permitted');
    expect(new DomainError('RATE_LIMITED', 'm', { reason: 'daily_quota' }).reason).toBe('daily_quota');
    expect(new DomainError('NOT_FOUND', 'm', { entity: 'task' }).reason).toBeUndefined();
  });

  it('says what was not found in the words of the entity', () => {
    expect(DomainError.notFound('task_project').message).toBe('task project not found');
    expect(DomainError.notFound('api_key')).toMatchObject({ code: 'NOT_FOUND', entity: 'api_key', message: 'key not found' });
    expect(Object.values(ENTITY_NAMES).every((words) => /^[a-z ]+$/.test(words))).toBe(true);
  });
});
