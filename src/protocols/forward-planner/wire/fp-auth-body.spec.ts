import { type DomainError } from '#errors';
import { bucketUsername, parseAuthBody, type RawBody } from './fp-auth-body.js';

const raw = (text: string, tooLarge = false): RawBody => ({ bytes: Buffer.from(text), tooLarge });

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).code;
  }
  return 'none';
}

describe('auth bodies', () => {
  it('reads JSON and HTML forms (the first of a repeated field)', () => {
    expect(parseAuthBody(raw('{"username":"a","password":"b"}'), 'application/json; charset=utf-8')).toEqual({
      username: 'a',
      password: 'b',
    });
    expect(parseAuthBody(raw('username=a%40b&password=c&username=z'), 'application/x-www-form-urlencoded')).toEqual({
      username: 'a@b',
      password: 'c',
    });
    expect(parseAuthBody(undefined, undefined)).toEqual({});
  });

  it('checks type, then size, then syntax', () => {
    expect(code(() => parseAuthBody(raw('x', true), 'text/plain'))).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(code(() => parseAuthBody(raw('{}'), 'application/json; charset=latin1'))).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(code(() => parseAuthBody(raw('', true), 'application/json'))).toBe('PAYLOAD_TOO_LARGE');
    expect(code(() => parseAuthBody(raw('{"a":'), 'application/json'))).toBe('MALFORMED');
    expect(code(() => parseAuthBody(raw('"x"'), 'application/json'))).toBe('MALFORMED');
  });

  it('finds the username for the auth bucket whatever the body, lower-cased, empty when unreadable', () => {
    expect(bucketUsername(raw('{"username":"Alice"}'), 'application/json')).toBe('alice');
    expect(bucketUsername(raw('{"username":'), 'application/json')).toBe('');
    expect(bucketUsername(raw('x'), 'text/plain')).toBe('');
  });
});
