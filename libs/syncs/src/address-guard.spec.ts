import { AddressRefused, isForbiddenAddress, resolveAllowed } from './address-guard.js';

describe('destination address guard', () => {
  it.each([
    ['169.254.169.254', false, true],
    ['::ffff:169.254.169.254', false, true],
    ['fe80::1', false, true],
    ['0.0.0.0', false, true],
    ['::', false, true],
    ['224.0.0.1', false, true],
    ['ff02::1', false, true],
    ['127.0.0.1', false, false],
    ['127.0.0.1', true, true],
    ['10.1.2.3', false, false],
    ['10.1.2.3', true, true],
    ['192.168.1.1', true, true],
    ['::1', true, true],
    ['93.184.216.34', true, false],
    ['2606:2800:220:1:248:1893:25c8:1946', true, false],
    ['not an ip', false, true],
  ])('%s (block private: %s) forbidden: %s', (ip, blockPrivate, forbidden) => {
    expect(isForbiddenAddress(ip, blockPrivate)).toBe(forbidden);
  });

  it('resolves names and literals, refusing a forbidden answer', async () => {
    await expect(resolveAllowed('127.0.0.1', false)).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
    await expect(resolveAllowed('[::1]', false)).resolves.toEqual([{ address: '::1', family: 6 }]);
    await expect(resolveAllowed('localhost', true)).rejects.toBeInstanceOf(AddressRefused);
    await expect(resolveAllowed('169.254.169.254', false)).rejects.toBeInstanceOf(AddressRefused);
  });
});
