import { DomainError } from '#errors';
import { translateStoreError } from './pg-errors.js';

describe('translateStoreError', () => {
  it.each([
    [{ code: '23505', constraint: 'uq_users__email' }, 'insert', 'CONFLICT', 'email'],
    [{ code: '23505', constraint: 'uq_accounts__slug' }, 'insert', 'CONFLICT', 'slug'],
    [{ code: '23502', column: 'name', table: 'accounts' }, 'insert', 'INVALID', 'name'],
    [{ code: '23514', constraint: 'ck_accounts__slug' }, 'insert', 'INVALID', 'slug'],
    [{ code: '23503', constraint: 'fk_users__account_id' }, 'insert', 'INVALID', 'account_id'],
    [{ code: '23503', constraint: 'fk_users__account_id' }, 'delete', 'CONFLICT', undefined],
    [{ code: '22P02' }, 'insert', 'INVALID', 'value'],
    [{ code: '22P05' }, 'insert', 'INVALID', 'value'],
    [{ code: '22021', column: 'summary' }, 'insert', 'INVALID', 'summary'],
    [{ code: 'ECONNREFUSED' }, 'insert', 'UNAVAILABLE', undefined],
    [{ code: '57P01' }, 'update', 'UNAVAILABLE', undefined],
    [{ code: '08006' }, 'update', 'UNAVAILABLE', undefined],
  ] as const)('%j on %s becomes %s naming %s', (pg, op, code, field) => {
    const e = translateStoreError(Object.assign(new Error('pg'), pg), op);
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    if (field) expect((e as DomainError).fields[0]?.field).toBe(field);
  });

  it('sees through TypeORM QueryFailedError.driverError', () => {
    const e = translateStoreError({ driverError: { code: '23505', constraint: 'uq_api_keys__name' } });
    expect(e).toMatchObject({ code: 'CONFLICT', entity: 'api_key', fields: [{ field: 'name', issue: 'already exists' }] });
  });

  it('treats a terminated connection as unavailable', () => {
    expect(translateStoreError(new Error('Connection terminated unexpectedly'))).toMatchObject({ code: 'UNAVAILABLE', retryAfter: 5 });
  });

  it('leaves an unknown error unchanged', () => {
    const e = new Error('boom');
    expect(translateStoreError(e)).toBe(e);
  });
});
