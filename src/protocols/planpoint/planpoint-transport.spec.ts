import { DomainError } from '#errors';
import { credentialOf } from './planpoint-auth.guard.js';
import { allowedMethods, routeOf } from './planpoint-routes.js';
import { parseJsonObject } from './planpoint-transport.js';

describe('Planpoint transport', () => {
  it.each([
    ['/api/projects/find', ['POST', 'OPTIONS']],
    ['/api/projects/find/', ['POST', 'OPTIONS']],
    ['/api/projects/mine', ['GET', 'HEAD', 'OPTIONS']],
    ['/api/projects/abc', ['GET', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']],
    ['/api/units', ['GET', 'POST', 'PATCH', 'HEAD', 'OPTIONS']],
    ['/api/leads', ['GET', 'POST', 'HEAD', 'OPTIONS']],
    ['/api/projects/abc/frobnicate', []],
    ['/api/groups/x/y', []],
    ['/api/users', []],
  ])('%s serves %j', (path, methods) => {
    expect(allowedMethods(path)).toEqual(methods);
  });

  it('marks only the finds and the lead form public', () => {
    const publicPaths = ['/api/projects/find', '/api/groups/find', '/api/enterprises/find', '/api/units/find', '/api/leads'];
    for (const path of publicPaths) expect(routeOf(path)?.public).toEqual(['POST']);
    for (const path of ['/api/projects', '/api/units', '/api/users/login']) expect(routeOf(path)?.public).toBeUndefined();
  });

  it.each([
    [undefined, undefined],
    ['', undefined],
    ['   ', undefined],
    ['Bearer psk_abc', 'psk_abc'],
    ['bearer   psk_abc ', 'psk_abc'],
    ['BEARER eyJ.a.b', 'eyJ.a.b'],
    ['psk_abc', 'psk_abc'],
    ['Bearer', null],
    ['Basic dXNlcjpwYXNz', null],
  ])('Authorization %j → %j', (header, credential) => {
    expect(credentialOf(header)).toBe(credential);
  });

  it('parses an object body whatever it claims to be; empty is {}', () => {
    expect(parseJsonObject('')).toEqual({});
    expect(parseJsonObject(' {"a":1} ')).toEqual({ a: 1 });
    for (const bad of ['{"a":', '[1]', '"x"', 'null', '1', '['.repeat(40) + ']'.repeat(40)]) {
      expect(() => parseJsonObject(bad)).toThrow(DomainError);
    }
    const deep = `${'{"a":'.repeat(32)}1${'}'.repeat(32)}`;
    expect(parseJsonObject(deep)).toBeDefined();
    expect(() => parseJsonObject(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`)).toThrow(DomainError);
  });
});
