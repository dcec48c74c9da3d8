import { AddressPolicy, AddressRefused, resolveChecked } from './address-guard.js';

const NONE = new AddressPolicy();
/** The widest an operator can go: every network and the names metadata services go by. */
const EVERYTHING = new AddressPolicy({
  names: ['metadata.google.internal', 'localhost'],
  networks: [
    '0.0.0.0/0',
    '::/0',
    '169.254.0.0/16',
    'fe80::/10',
    'fd00:ec2::254/128',
    '100.100.100.200/32',
    '192.0.0.192/32',
    '168.63.129.16/32',
  ],
});
const LOOPBACK_ONLY = new AddressPolicy({ names: ['localhost'], networks: ['127.0.0.1/32', '::1/128'] });

describe('destination address rule', () => {
  // Cloud metadata services and what no destination can be, in every form: refused whatever RETL_ALLOW_HOSTS says.
  it.each([
    ['169.254.169.254', 'AWS/GCP/Azure metadata'],
    ['169.254.170.2', 'ECS task metadata'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::a9fe:a9fe%eth0', 'IPv6 link-local with a zone'],
    ['febf:ffff::1', 'end of fe80::/10'],
    ['fd00:ec2::254', 'AWS metadata over IPv6'],
    ['fd00:0ec2:0000:0000:0000:0000:0000:0254', 'AWS IPv6 metadata, written out'],
    ['100.100.100.200', 'Alibaba metadata'],
    ['192.0.0.192', 'Oracle metadata'],
    ['168.63.129.16', 'Azure wireserver'],
    ['::ffff:169.254.169.254', 'IPv4-mapped'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped, hex'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'IPv4-mapped, written out'],
    ['::ffff:0:a9fe:a9fe', 'IPv4-translated'],
    ['::ffff:100.100.100.200', 'IPv4-mapped Alibaba'],
    ['64:ff9b::a9fe:a9fe', 'NAT64'],
    ['64:ff9b::169.254.169.254', 'NAT64, dotted'],
    ['64:ff9b::c000:c0', 'NAT64 Oracle'],
    ['64:ff9b::a83f:8110', 'NAT64 Azure wireserver'],
    ['64:ff9b:1:a9fe:a9:fe00::', 'NAT64 local-use /48'],
    ['64:ff9b:1:a9:fe:a9fe::', 'NAT64 local-use /56'],
    ['64:ff9b:1:0:a9:fea9:fe00:0', 'NAT64 local-use /64'],
    ['64:ff9b:1::a9fe:a9fe', 'NAT64 local-use /96'],
    ['2002:a9fe:a9fe::1', '6to4'],
    ['2001:0:a9fe:a9fe::1', 'Teredo server'],
    ['2001:0:4136:e378:8000:63bf:5601:5601', 'Teredo client (inverted 169.254.169.254)'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['::', 'IPv6 unspecified'],
    ['::ffff:0.0.0.0', 'IPv4-mapped unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'IPv6 multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['not an ip', 'not an address'],
    ['127.1', 'a short form the rule does not take as an address'],
    ['', 'empty'],
  ])('%s (%s) is never allowed', (address) => {
    expect(NONE.refuses(address)).toBe(true);
    expect(EVERYTHING.refuses(address)).toBe(true);
    expect(EVERYTHING.refuses(address, 'metadata.google.internal')).toBe(true);
    expect(EVERYTHING.refuses(address, 'localhost')).toBe(true);
  });

  // Loopback and private networks in every form: refused by default, allowed by a network or a name of RETL_ALLOW_HOSTS.
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', false],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['64:ff9b::7f00:1', true],
    ['2002:7f00:1::', true],
    ['10.1.2.3', false],
    ['::ffff:10.1.2.3', false],
    ['64:ff9b::a01:203', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['192.168.1.1', false],
    ['2002:c0a8:101::1', false],
    ['100.64.0.1', false],
    ['fc00::1', false],
    ['fd12:3456::1', false],
    ['fec0::1', false],
  ])('%s is private: refused by default (loopback opt-in covers it: %s)', (address, loopback) => {
    expect(NONE.refuses(address)).toBe(true);
    expect(NONE.refuses(address, 'localhost')).toBe(true);
    expect(EVERYTHING.refuses(address)).toBe(false);
    expect(LOOPBACK_ONLY.refuses(address)).toBe(!loopback);
    expect(LOOPBACK_ONLY.refuses(address, 'localhost')).toBe(false);
    expect(LOOPBACK_ONLY.refuses(address, 'LocalHost.')).toBe(false);
    expect(LOOPBACK_ONLY.refuses(address, 'db.example')).toBe(!loopback);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:2800:220:1:248:1893:25c8:1946',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '::ffff:8.8.8.8',
  ])('%s is public: allowed without an allow-list', (address) => {
    expect(NONE.refuses(address)).toBe(false);
  });

  it('allows exactly the listed networks', () => {
    const policy = new AddressPolicy({ names: [], networks: ['10.1.0.0/16'] });
    expect(policy.refuses('10.1.200.3')).toBe(false);
    expect(policy.refuses('::ffff:10.1.200.3')).toBe(false);
    expect(policy.refuses('10.2.0.1')).toBe(true);
    expect(policy.refuses('127.0.0.1')).toBe(true);
  });

  it('resolves names and literals, refusing any answer the rule refuses, and names no resolved address', async () => {
    await expect(resolveChecked('127.0.0.1', LOOPBACK_ONLY)).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
    await expect(resolveChecked('[::1]', LOOPBACK_ONLY)).resolves.toEqual([{ address: '::1', family: 6 }]);
    const local = await resolveChecked('localhost', LOOPBACK_ONLY);
    expect(local.length).toBeGreaterThan(0);
    await expect(resolveChecked('localhost', NONE)).rejects.toBeInstanceOf(AddressRefused);
    await expect(resolveChecked('127.0.0.1', NONE)).rejects.toBeInstanceOf(AddressRefused);
    await expect(resolveChecked('169.254.169.254', EVERYTHING)).rejects.toThrow(
      "'169.254.169.254' is or resolves to an address destinations may not use",
    );
    await expect(resolveChecked('localhost', NONE)).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringMatching(/127\.0\.0\.1|::1/) }),
    );
  });
});
