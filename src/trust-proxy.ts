import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * TRUST_PROXY, in the forms Express's `trust proxy` takes: `false`, a hop count, or a
 * comma list of proxy addresses, CIDR ranges and the names `loopback`, `linklocal`,
 * `uniquelocal`. `true` is accepted too, but trusts every X-Forwarded-For entry.
 */
export type TrustProxy = boolean | number | string[];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, a CIDR range (address/prefix length) or one of Express's range names. */
function isProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const MESSAGE =
  'must be false, true, a hop count, or a comma list of proxy addresses, CIDR ranges, loopback, linklocal or uniquelocal';

export const trustProxy = z.string().transform((raw, ctx): TrustProxy => {
  const value = raw.trim().toLowerCase();
  if (['false', 'no', '0', ''].includes(value)) return false;
  if (['true', 'yes'].includes(value)) return true;
  if (/^\d{1,3}$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim());
  if (entries.every(isProxyEntry)) return entries;
  ctx.addIssue({ code: 'custom', message: MESSAGE });
  return z.NEVER;
});

/** The start-up warning for TRUST_PROXY=true, or null when the setting is safe. */
export const trustProxyWarning = (value: TrustProxy): string | null =>
  value === true
    ? 'TRUST_PROXY=true trusts every X-Forwarded-For entry, so a client can pick its own address ' +
      'and get past the per-IP invalid-key guard and sign-in limits. Set the number of proxies ' +
      '(e.g. TRUST_PROXY=1) or their addresses instead.'
    : null;
