import { effectiveStatus } from '#projects';
import { bedOf, parseStatus, sdkStatus } from './unit-vocabularies.js';

describe('unit status vocabularies', () => {
  it.each([
    ['Available', 'Available', 'Available'],
    ['OnHold', 'On Hold', 'OnHold'],
    ['on hold', 'On Hold', 'OnHold'],
    ['ON_HOLD', 'On Hold', 'OnHold'],
    ['Reserved', 'Reserved', 'OnHold'],
    ['sold', 'Sold', 'Sold'],
    ['Leased', 'Leased', 'Leased'],
    ['un-available', 'Unavailable', 'Unavailable'],
  ])('%s is stored as %s and read as %s', (word, stored, sdk) => {
    expect(parseStatus(word)).toBe(stored);
    expect(sdkStatus(parseStatus(word)!)).toBe(sdk);
  });

  it('refuses other words', () => {
    expect(parseStatus('Booked')).toBeUndefined();
    expect(parseStatus('')).toBeUndefined();
  });

  it('reads an expired hold as Available, nothing else', () => {
    const past = new Date('2020-01-01T00:00:00Z');
    const future = new Date(Date.now() + 86_400_000);
    expect(effectiveStatus('Reserved', past)).toBe('Available');
    expect(effectiveStatus('On Hold', past)).toBe('Available');
    expect(effectiveStatus('On Hold', future)).toBe('On Hold');
    expect(effectiveStatus('Sold', past)).toBe('Sold');
    expect(effectiveStatus('On Hold', null)).toBe('On Hold');
  });

  it.each([
    ['2', 2],
    [' 3 ', 3],
    ['1.5', 1.5],
    ['Studio', 0],
    ['studio', 0],
    ['two', null],
    ['2+den', null],
  ])('bed of %s is %s', (bedrooms, bed) => {
    expect(bedOf(bedrooms)).toBe(bed);
  });
});
