import { createHash } from 'node:crypto';
import { parseXmlRequest } from './xml-request.js';
import { expectedSignature, signatureMatches } from './planfix-signature.js';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const root = (xml: string) => parseXmlRequest({ bytes: Buffer.from(xml), tooLarge: false }).root;

describe('Planfix signature', () => {
  it('is the MD5 of the method, the values sorted by element name (nested ones concatenated), the key', () => {
    const r = root(
      '<request method="task.get"><task><general>42</general></task><account>acme</account><sid>s1</sid><signature>x</signature></request>',
    );
    // account, sid, task (byte order) → "acme" + "s1" + "42"
    expect(expectedSignature('task.get', r, 'KEY')).toBe(md5('task.getacmes142KEY'));
  });

  it('orders same-name siblings by what they contribute, so their order in the body does not matter', () => {
    const a = root('<request method="m"><account>a</account><users><id>2</id></users><users><id>1</id></users></request>');
    const b = root('<request method="m"><users><id>1</id></users><account>a</account><users><id>2</id></users></request>');
    expect(expectedSignature('m', a, 'k')).toBe(expectedSignature('m', b, 'k'));
    expect(expectedSignature('m', a, 'k')).toBe(md5('ma12k'));
  });

  it('compares in constant time, any case, and refuses a missing signature', () => {
    const s = md5('x');
    expect(signatureMatches(s.toUpperCase(), s)).toBe(true);
    expect(signatureMatches(undefined, s)).toBe(false);
    expect(signatureMatches('', s)).toBe(false);
    expect(signatureMatches('abc', s)).toBe(false);
  });
});
