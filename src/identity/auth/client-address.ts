import ipaddr from 'ipaddr.js';

/**
 * What the per-address limits count: an IPv4 address, or an IPv6 /64. A subscriber is given a
 * whole /64 and can use any address in it, so counting single IPv6 addresses would let one client
 * start afresh with every request.
 */
export function clientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip); // an IPv4-mapped IPv6 address is the IPv4 client it maps
  if (address.kind() === 'ipv4') return address.toString();
  return `${address.toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}
