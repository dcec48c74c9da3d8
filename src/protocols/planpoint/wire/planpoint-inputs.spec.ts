import { type DomainError } from '#errors';
import { parseBatch, parseFindBody, parseGroupInput, parseProjectInput, parseUnitInput } from './planpoint-inputs.js';

const message = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as DomainError).message;
  }
  return 'no error';
};

describe('Planpoint inputs', () => {
  it('maps SDK and legacy unit words to one stored form', () => {
    expect(parseUnitInput({ unitNumber: '101', status: 'OnHold', bed: 2, bath: '1.5', sqft: 800 }, false)).toEqual({
      name: '101',
      status: 'On Hold',
      onHoldExpiresAt: null,
      bedrooms: '2',
      bath: 1.5,
      sqft: 800,
    });
    expect(parseUnitInput({ name: '101', availability: 'Reserved', bedrooms: 'Studio', squareFeet: 450 }, false)).toMatchObject({
      name: '101',
      status: 'Reserved',
      bedrooms: 'Studio',
      sqft: 450,
    });
    expect(parseUnitInput({ status: 'OnHold', availability: 'Reserved' }, false).status).toBe('Reserved');
  });

  it.each([
    [{ bed: 2, bedrooms: '3' }, 'bed and bedrooms disagree'],
    [{ unitNumber: 'a', name: 'b' }, 'unitNumber and name disagree'],
    [{ status: 'Sold', availability: 'Available' }, 'status and availability disagree'],
    [{ bath: 1, bathrooms: 2 }, 'bath and bathrooms disagree'],
    [{ bed: -1 }, 'bed must be a non-negative number'],
    [{ bed: 'two' }, 'bed must be a non-negative number'],
    [{ status: 'Booked' }, 'status must be Available, OnHold, Sold, Leased or Unavailable'],
    [{ onHoldExpiresAt: 'tomorrow' }, 'onHoldExpiresAt must be an ISO 8601 date'],
    [{ onHoldExpiresAt: '2025-01-01T10:00:00' }, 'onHoldExpiresAt must be an ISO 8601 date'],
  ])('unit %j → %s', (body, text) => {
    expect(message(() => parseUnitInput(body, false))).toBe(text);
  });

  it('needs a floor to create a unit, as an id or {_id}', () => {
    expect(message(() => parseUnitInput({}, true))).toBe('floor is required');
    expect(parseUnitInput({ floor: { _id: 'A'.repeat(24) } }, true).floorRef).toBe('a'.repeat(24));
  });

  it('keeps legacy viewer keys, ignores read-only keys and refuses unsafe ones', () => {
    expect(parseProjectInput({ name: ' Tower ', _id: 'x', floors: [1], accentColor: '#fff', showPrices: false }, true)).toEqual({
      name: 'Tower',
      viewerSettings: { accentColor: '#fff', showPrices: false },
    });
    expect(message(() => parseProjectInput({ name: 'x', showPrices: 'yes' }, true))).toBe('showPrices must be a boolean');
    expect(message(() => parseProjectInput(JSON.parse('{"__proto__":{}}'), false))).toBe('__proto__ is not an allowed key');
    expect(message(() => parseProjectInput({ customButtonTxt: { it: 'x' } }, false))).toMatch(/^customButtonTxt must be/);
  });

  it('checks find bodies, group names and batches', () => {
    expect(message(() => parseFindBody({ namespace: 'a' }))).toBe('namespace and hostName are required');
    expect(message(() => parseFindBody({ namespace: 'a', hostName: 5 }))).toBe('namespace and hostName are required');
    expect(message(() => parseGroupInput('group', { name: 'ab' }, true))).toBe('name must be a string of 3 to 120 characters');
    expect(message(() => parseBatch({ ids: [], patchData: {} }))).toMatch(/^ids must be/);
    expect(message(() => parseBatch({ ids: ['a'.repeat(24)] }))).toBe('patchData must be an object');
    expect(parseBatch({ ids: ['A'.repeat(24)], patchData: { status: 'Sold' } }).ids).toEqual(['a'.repeat(24)]);
  });
});
