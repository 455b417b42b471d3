import { crc32 } from 'node:zlib';
import { createHash } from 'node:crypto';
import { digestToken, generateToken, parseToken } from '../../src/core/token';

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
});
