import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may go. Endpoints that resolve to loopback, private, link-local (cloud
 * metadata at 169.254.169.254 and fd00:ec2::254 among them), unique-local, carrier NAT or
 * reserved addresses are refused unless private networks are allowed: an admin's URL must
 * not make the server reach into its own network.
 */
export interface NetworkPolicy {
  allowPrivateNetworks: boolean;
}

/** Why an address is refused, or null when it is a public unicast address. */
export function refusedAddress(address: string): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 one.
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? null : `${address} is a ${range} address`;
}

export class RefusedUrlError extends Error {}

/** The URL, parsed, if it is http(s) without credentials; throws RefusedUrlError otherwise. */
export function parseEndpointUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RefusedUrlError('must be a full http:// or https:// URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new RefusedUrlError('must be an http:// or https:// URL');
  if (parsed.username || parsed.password)
    throw new RefusedUrlError('must not carry a user name or password');
  return parsed;
}

/** Checks every address the URL's host resolves to now; throws RefusedUrlError when one is refused. */
export async function checkEndpointUrl(url: string, policy: NetworkPolicy): Promise<void> {
  const { hostname } = parseEndpointUrl(url);
  if (policy.allowPrivateNetworks) return;
  const host = hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    throw new RefusedUrlError(`${host} does not resolve`);
  }
  for (const { address } of addresses) {
    const why = refusedAddress(address);
    if (why)
      throw new RefusedUrlError(`${host} resolves to a network Latchkey does not send to: ${why}`);
  }
}

/**
 * A `lookup` for http.request that refuses a disallowed address at connect time, so the
 * address checked is the address connected to: a name that resolved to a public address
 * when the endpoint was added and to 127.0.0.1 now (DNS rebinding) is refused.
 */
export function checkedLookup(policy: NetworkPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true, family: options.family ?? 0 })
      .then((addresses) => {
        const first = addresses[0];
        if (!first) throw new RefusedUrlError(`${hostname} does not resolve`);
        if (!policy.allowPrivateNetworks) {
          for (const { address } of addresses) {
            const why = refusedAddress(address);
            if (why) throw new RefusedUrlError(`refused: ${why}`);
          }
        }
        if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, '', 0));
  };
}
