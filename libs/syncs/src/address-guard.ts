import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DomainError } from '#errors';

/** Never a destination (reverse-etl.md §4.2): link-local, unspecified and multicast addresses. */
const ALWAYS = new BlockList();
ALWAYS.addSubnet('169.254.0.0', 16, 'ipv4');
ALWAYS.addSubnet('0.0.0.0', 8, 'ipv4');
ALWAYS.addSubnet('224.0.0.0', 4, 'ipv4');
ALWAYS.addSubnet('255.255.255.255', 32, 'ipv4');
ALWAYS.addSubnet('fe80::', 10, 'ipv6');
ALWAYS.addAddress('::', 'ipv6');
ALWAYS.addSubnet('ff00::', 8, 'ipv6');

/** Refused too when RETL_BLOCK_PRIVATE_NETWORKS=true: loopback and private ranges. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

/** `::ffff:169.254.169.254` is the IPv4 address it carries. */
function unmapped(ip: string): { ip: string; family: 'ipv4' | 'ipv6' } {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m) return { ip: m[1], family: 'ipv4' };
  return { ip, family: isIP(ip) === 6 ? 'ipv6' : 'ipv4' };
}

export function isForbiddenAddress(address: string, blockPrivate: boolean): boolean {
  const { ip, family } = unmapped(address);
  if (!isIP(ip)) return true;
  return ALWAYS.check(ip, family) || (blockPrivate && PRIVATE.check(ip, family));
}

export function forbiddenAddress(host: string): DomainError {
  return DomainError.invalid([{ field: 'config.url', type: 'forbidden_address', issue: `'${host}' is or resolves to an address destinations may not use` }]);
}

export class AddressRefused extends Error {
  readonly code = 'forbidden_address';
  constructor(host: string) {
    super(`'${host}' is or resolves to an address destinations may not use`);
  }
}

/** Every address a host name resolves to, each checked; throws AddressRefused when any is forbidden. */
export async function resolveAllowed(host: string, blockPrivate: boolean): Promise<{ address: string; family: number }[]> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await lookup(bare, { all: true, verbatim: true });
  if (!addresses.length || addresses.some((a) => isForbiddenAddress(a.address, blockPrivate))) throw new AddressRefused(bare);
  return addresses;
}
