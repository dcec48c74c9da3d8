import { type DomainError } from '#errors';
import { parseXmlRequest } from './xml-request.js';
import { readPage, XmlParams } from './xml-params.js';

const params = (inner: string) =>
  new XmlParams(parseXmlRequest({ bytes: Buffer.from(`<request method="a">${inner}</request>`), tooLarge: false }).root);

function issueOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).fields[0]?.type;
  }
  return undefined;
}

describe('XmlParams', () => {
  it('reads integers up to 2^53−1; empty is absent; abc, 1e3, 1.5 and overflows are 0015', () => {
    expect(params('<id>42</id>').int('id')).toBe(42);
    expect(params('<id>-3</id>').int('id')).toBe(-3);
    expect(params('<id/>').int('id')).toBeUndefined();
    expect(params('').int('id')).toBeUndefined();
    for (const bad of ['abc', '1e3', '1.5', '9007199254740993', '0x10', '+1'])
      expect(issueOf(() => params(`<id>${bad}</id>`).int('id'))).toBe('invalid_value');
  });

  it('refuses a single value given twice, and elements where a value is expected', () => {
    expect(issueOf(() => params('<title>a</title><title>b</title>').text('title'))).toBe('invalid_value');
    expect(issueOf(() => params('<title><x>1</x></title>').text('title'))).toBe('invalid_value');
  });

  it('reads booleans as 0/1 or true/false in any case', () => {
    expect(params('<b>1</b>').bool('b')).toBe(true);
    expect(params('<b>True</b>').bool('b')).toBe(true);
    expect(params('<b>false</b>').bool('b')).toBe(false);
    expect(params('<b></b>').bool('b')).toBeUndefined();
    expect(issueOf(() => params('<b>2</b>').bool('b'))).toBe('invalid_value');
  });

  it('checks enumerations, answering the list spelling', () => {
    expect(params('<s>active</s>').oneOf('s', ['DRAFT', 'ACTIVE'] as const)).toBe('ACTIVE');
    expect(issueOf(() => params('<s>FROZEN</s>').oneOf('s', ['DRAFT', 'ACTIVE'] as const))).toBe('invalid_value');
  });

  it('reads dd-mm-yyyy dates and refuses days that do not exist', () => {
    expect(params('<d>22-11-2025</d>').date('d')).toBe('2025-11-22');
    expect(params('<d/>').date('d')).toBe('');
    for (const bad of ['31-02-2025', '2025-11-22', '22/11/2025', '1-1-2025'])
      expect(issueOf(() => params(`<d>${bad}</d>`).date('d'))).toBe('invalid_value');
  });

  it('reads times and date-times in the account time zone', () => {
    expect(params('<t>9:05</t>').time('t')).toBe('09:05');
    expect(params('<t>22-11-2025 14:05</t>').time('t')).toBe('14:05');
    expect(issueOf(() => params('<t>25:00</t>').time('t'))).toBe('invalid_value');
    expect(params('<d>22-11-2025 14:05</d>').dateTime('d', 'Europe/Berlin')?.toISOString()).toBe('2025-11-22T13:05:00.000Z');
    expect(params('<d>22-11-2025</d>').dateTime('d', 'UTC')?.toISOString()).toBe('2025-11-22T00:00:00.000Z');
    expect(issueOf(() => params('<d>22-11-2025 24:00</d>').dateTime('d', 'UTC'))).toBe('invalid_value');
  });

  it('limits text lengths in characters', () => {
    expect(params(`<t>${'é'.repeat(255)}</t>`).text('t')).toHaveLength(255);
    expect(issueOf(() => params(`<t>${'a'.repeat(256)}</t>`).text('t'))).toBe('invalid_value');
  });

  it('reads {id | general}: a non-empty general wins, an empty one does not, neither is 0009', () => {
    expect(params('<task><id>5</id><general>2</general></task>').child('task')!.ref()).toEqual({ general: 2 });
    expect(params('<task><id>5</id><general></general></task>').child('task')!.ref()).toEqual({ id: 5 });
    expect(issueOf(() => params('<task/>').child('task')!.ref())).toBe('missing');
  });
});

describe('readPage', () => {
  it('pages from 1 by 100; 0 is count only; over 100 is 0021; negative is 0015', () => {
    expect(readPage(params(''))).toEqual({ offset: 0, limit: 100 });
    expect(readPage(params('<pageCurrent>3</pageCurrent><pageSize>2</pageSize>'))).toEqual({ offset: 4, limit: 2 });
    expect(readPage(params('<pageCurrent>0</pageCurrent>'))).toEqual({ offset: 0, limit: 0 });
    expect(readPage(params('<pageSize>0</pageSize>'))).toEqual({ offset: 0, limit: 100 });
    expect(issueOf(() => readPage(params('<pageSize>101</pageSize>')))).toBe('too_many');
    expect(issueOf(() => readPage(params('<pageSize>-1</pageSize>')))).toBe('invalid_value');
    expect(issueOf(() => readPage(params('<pageCurrent>x</pageCurrent>')))).toBe('invalid_value');
  });
});
