import { crc32 } from 'node:zlib';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { digestToken, generateToken, parseToken, stripBearer } from '../../src/core/token';
import '../support/fast-check-seed';

// Issued before the checksum and digest were rewritten for speed: they must still validate.
const ISSUED = [
  {
    token: 'lk_KddbzoVjmcsO19F9YOBGE21u5HQNO4Ch5se1ZaTC5eB3QtG2u',
    digest: '8d1f85477dd9413ad74d78ec00846aea8f099c478f51b2fd86f55d0d3e615a67',
  },
  {
    token: 'acme9_DauTJfg2L0SHkghriaMhqV1Ilu4DP097bvTWRRmg6Hu1AdWra',
    digest: '95983424d9e6dfd9c2eefff302ab4b9391424f90ee48d3ab6d7c177b73e783b7',
  },
];

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The checksum as the format defines it: CRC32 in 6 base62 digits, computed with BigInt. */
function referenceChecksum(body: string): string {
  let v = BigInt(crc32(body));
  let out = '';
  for (let i = 0; i < 6; i++) {
    out = ALPHABET[Number(v % 62n)] + out;
    v /= 62n;
  }
  return out;
}

/** parseToken as the format defines it: strip "Bearer ", match the pattern, compare the checksum. */
function referenceParse(raw: string): string | null {
  if (raw.length === 0 || raw.length > 512) return null;
  const token = stripBearer(raw);
  if (!/^[a-z0-9]{1,12}_[0-9A-Za-z]{49}$/.test(token)) return null;
  return referenceChecksum(token.slice(0, -6)) === token.slice(-6) ? token : null;
}

describe('token format', () => {
  it.each(ISSUED)('still accepts a token issued earlier ($digest)', ({ token, digest }) => {
    expect(parseToken(token)).toBe(token);
    expect(parseToken(`Bearer ${token}`)).toBe(token);
    expect(digestToken(token)).toBe(digest);
  });

  it('computes the checksum exactly as the format defines it', () => {
    for (let i = 0; i < 200; i++) {
      const token = generateToken('lk');
      expect(token.slice(-6)).toBe(referenceChecksum(token.slice(0, -6)));
    }
  });

  it('digests with SHA-256 in hex', () => {
    const token = generateToken('lk');
    expect(digestToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
  });

  it('rejects a token whose checksum does not match', () => {
    const token = ISSUED[0]!.token;
    const changed = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(parseToken(changed)).toBeNull();
    const typo = token.slice(0, 10) + (token[10] === 'x' ? 'y' : 'x') + token.slice(11);
    expect(parseToken(typo)).toBeNull();
  });

  it('parses every header value exactly as the reference definition does', () => {
    const valid = fc.constantFrom('lk', 'a', 'acme9', 'abcdefghijkl').map(generateToken);
    const space = fc.constantFrom('', ' ', '  ', '\t', '\u00a0', '\u2028', '\n');
    const scheme = fc.constantFrom('', 'Bearer ', 'bearer ', 'BEARER\t', 'Bearer', 'Basic ');
    const edit = fc.tuple(fc.nat(60), fc.string({ maxLength: 2, unit: 'binary' }), fc.nat(2));
    const header = fc
      .tuple(space, scheme, space, valid, space, fc.option(edit, { nil: undefined }))
      .map(([a, b, c, token, d, change]) => {
        if (!change) return a + b + c + token + d;
        const [at, text, drop] = change;
        return a + b + c + token.slice(0, at) + text + token.slice(at + drop) + d;
      });
    fc.assert(
      fc.property(fc.oneof(header, fc.string({ maxLength: 80, unit: 'binary' })), (raw) => {
        expect(parseToken(raw)).toBe(referenceParse(raw));
      }),
      { numRuns: 5_000 },
    );
  });
});
