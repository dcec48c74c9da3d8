import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { type AllowHosts } from '#config';

/**
 * The address rule of outbound destinations (docs/reverse-etl.md, issue #17). It knows no protocol: a caller resolves
 * a host with `resolveChecked` and connects to the addresses it returns, never resolving the name again, so that a DNS
 * answer that changes between the check and the connection (rebinding) cannot swap in another address.
 */
type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

const ranges = (...cidrs: string[]): Range[] => cidrs.map((c) => ipaddr.parseCIDR(c));

/** Never a destination, whatever RETL_ALLOW_HOSTS says: cloud metadata services and what no destination can be. */
const NEVER = ranges(
  '169.254.0.0/16', // link-local: AWS, GCP, Azure, OpenStack metadata at 169.254.169.254
  'fe80::/10', // link-local
  'fd00:ec2::254/128', // AWS metadata over IPv6
  '100.100.100.200/32', // Alibaba Cloud metadata
  '192.0.0.192/32', // Oracle Cloud metadata
  '168.63.129.16/32', // Azure wireserver
  '0.0.0.0/8', // "this network": 0.0.0.0 reaches the local host
  '::/128',
  '224.0.0.0/4', // multicast
  'ff00::/8',
  '240.0.0.0/4', // reserved, with the broadcast address 255.255.255.255
);

/** Loopback and private networks: refused unless RETL_ALLOW_HOSTS allows them. */
const PRIVATE = ranges('127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '::1/128', 'fc00::/7', 'fec0::/10');

/**
 * IPv6 prefixes that carry an IPv4 address which a translator or tunnel may deliver to: the byte offsets of that
 * address. 64:ff9b:1::/48 may be used with any RFC 6052 prefix length, so each possible position is checked.
 */
const CARRIERS: [Range, number[][]][] = [
  [ipaddr.parseCIDR('::ffff:0:0/96'), [[12, 13, 14, 15]]], // IPv4-mapped
  [ipaddr.parseCIDR('::ffff:0:0:0/96'), [[12, 13, 14, 15]]], // IPv4-translated (SIIT)
  [ipaddr.parseCIDR('64:ff9b::/96'), [[12, 13, 14, 15]]], // NAT64 well-known prefix
  [
    ipaddr.parseCIDR('64:ff9b:1::/48'), // NAT64 local-use prefix, RFC 6052 positions for /48, /56, /64, /96
    [
      [6, 7, 9, 10],
      [7, 9, 10, 11],
      [9, 10, 11, 12],
      [12, 13, 14, 15],
    ],
  ],
  [ipaddr.parseCIDR('2002::/16'), [[2, 3, 4, 5]]], // 6to4
];
const TEREDO = ranges('2001::/32');

function within(address: Address, list: Range[]): boolean {
  return list.some(([net, bits]) => net.kind() === address.kind() && address.match(net, bits));
}

/** The address and every IPv4 address it carries (Teredo's client address is stored inverted). */
function forms(address: Address): Address[] {
  if (address.kind() === 'ipv4') return [address];
  const bytes = address.toByteArray();
  const out: Address[] = [address];
  for (const [range, positions] of CARRIERS) {
    if (within(address, [range])) for (const p of positions) out.push(new ipaddr.IPv4(p.map((i) => bytes[i])));
  }
  if (within(address, TEREDO)) {
    out.push(new ipaddr.IPv4(bytes.slice(4, 8)), new ipaddr.IPv4(bytes.slice(12, 16).map((b) => b ^ 0xff)));
  }
  return out;
}

/** A host name as RETL_ALLOW_HOSTS holds it: lower case, no brackets, no trailing dot. */
function hostKey(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/**
 * Whether a destination may use an address. Metadata, link-local, unspecified, multicast and reserved addresses are
 * refused in every form (IPv4-mapped, NAT64, 6to4, Teredo); loopback and private ones unless the operator's
 * RETL_ALLOW_HOSTS lists a network holding them or the destination's host name: an allowed name only lifts the
 * private rule, so a name that resolves to a metadata address stays refused.
 */
export class AddressPolicy {
  private readonly names: Set<string>;
  private readonly networks: Range[];

  constructor(allow: AllowHosts = { names: [], networks: [] }) {
    this.names = new Set(allow.names.map(hostKey));
    this.networks = ranges(...allow.networks);
  }

  /** True when `address` (what `host` resolved to, or the host itself) may not be used. Not an address: refused. */
  refuses(address: string, host?: string): boolean {
    const bare = address.replace(/^\[(.*)\]$/, '$1');
    if (!isIP(bare)) return true;
    const all = forms(ipaddr.parse(bare));
    if (all.some((a) => within(a, NEVER))) return true;
    if (!all.some((a) => within(a, PRIVATE))) return false;
    if (host !== undefined && this.names.has(hostKey(host))) return false;
    return !all.some((a) => within(a, this.networks));
  }
}

/** A destination address the rule refuses (run error and 422 issue `forbidden_address`); says no resolved address. */
export class AddressRefused extends Error {
  readonly code = 'forbidden_address';

  static of(host: string): AddressRefused {
    return new AddressRefused(
      `'${host}' is or resolves to an address destinations may not use (metadata, link-local, unspecified or multicast; loopback and private networks only where the operator allows them)`,
    );
  }
}

/**
 * Every address a host resolves to, each checked: throws AddressRefused when any is refused (an answer that mixes a
 * public and a private address could otherwise be connected to on the private one). Connect to what it returns.
 */
export async function resolveChecked(host: string, policy: AddressPolicy): Promise<{ address: string; family: number }[]> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await lookup(bare, { all: true, verbatim: true });
  if (!addresses.length || addresses.some((a) => policy.refuses(a.address, bare))) throw AddressRefused.of(bare);
  return addresses;
}
