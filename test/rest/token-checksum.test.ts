import fc from 'fast-check';
import { generateToken, parseToken } from '../../src/core/token';

describe('token checksum', () => {
  it('accepts every generated token and rejects any single changed character', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 48 }),
        fc.constantFrom(...'0123456789Zz'),
        (pos, ch) => {
          const token = generateToken('lk');
          expect(parseToken(token)).toBe(token);
          const i = 3 + pos;
          const changed = token.slice(0, i) + ch + token.slice(i + 1);
          return changed === token || parseToken(changed) === null;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the checksum format of existing tokens', () => {
    // Made before the checksum moved from BigInt to number arithmetic.
    expect(parseToken('lk_9tpSS26bTb0mWy3WcgHXW6y7V9rjyRlsGdybii5bJER03QkYs')).not.toBeNull();
    expect(parseToken('lki_8hEXM7AKuxY1M6iLaQLE5D4VGXJlaLfpjoGaKM8PKlM2cz1qs')).not.toBeNull();
  });
});
