import crypto, { createHash } from 'node:crypto';
import {
  digestToken,
  generateToken,
  KEY_ID_PATTERN,
  newKeyId,
  parseToken,
  stripBearer,
  tokenHint,
} from '../../src/core/token';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('token format', () => {
  it('is <prefix>_ then 43 base62 secret characters then a 6-character checksum', () => {
    const token = generateToken('acme');
    expect(token).toMatch(/^acme_[0-9A-Za-z]{49}$/);
  });

  it('carries at least 256 bits from crypto.randomBytes', () => {
    const spy = jest.spyOn(crypto, 'randomBytes');
    const token = generateToken('lk');
    const requested = spy.mock.calls.reduce((sum, [size]) => sum + Number(size), 0);
    spy.mockRestore();
    expect(requested).toBeGreaterThanOrEqual(32);
    // ...and the secret part has room for all of them.
    const secretLength = token.length - 'lk_'.length - 6;
    expect(62n ** BigInt(secretLength) >= 2n ** 256n).toBe(true);
  });

  it('uses the whole alphabet across many tokens (the secret is random, not padded)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const c of generateToken('lk').slice(4, 46)) seen.add(c);
    expect(seen.size).toBe(62);
  });

  it('never repeats', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateToken('lk')));
    expect(tokens.size).toBe(1000);
  });

  it('takes the configured prefix and refuses prefixes secret scanners could not match', () => {
    expect(generateToken('x').startsWith('x_')).toBe(true);
    expect(generateToken('abcdefghij12').startsWith('abcdefghij12_')).toBe(true);
    for (const bad of ['', 'ABC', 'a_b', 'a-b', 'abcdefghij123', 'é'])
      expect(() => generateToken(bad)).toThrow(/prefix/);
  });
});

describe('parseToken', () => {
  const token = generateToken('lk');

  it('accepts a token with or without "Bearer " in any case and with surrounding spaces', () => {
    for (const raw of [
      token,
      `Bearer ${token}`,
      `bearer ${token}`,
      `BEARER   ${token}  `,
      `  ${token}\t`,
    ]) {
      expect(parseToken(raw)).toBe(token);
    }
  });

  it('rejects anything that is not a string, empty, or too long to be a token', () => {
    for (const raw of [undefined, null, 42, {}, [token], '', ' ', 'Bearer', `${token}x`]) {
      expect(parseToken(raw)).toBeNull();
    }
    expect(parseToken(`Bearer ${' '.repeat(600)}${token}`)).toBeNull();
  });

  it('rejects every single-character change anywhere in the token', () => {
    const chars = `${ALPHABET}_-. `;
    let changes = 0;
    for (let i = 0; i < token.length; i++) {
      for (const c of chars) {
        if (c === token[i]) continue;
        const changed = token.slice(0, i) + c + token.slice(i + 1);
        expect(parseToken(changed)).toBeNull();
        changes++;
      }
    }
    expect(changes).toBeGreaterThan(3000);
  });

  it('rejects a token with a character dropped, added or two neighbours swapped', () => {
    for (let i = 0; i < token.length; i++) {
      expect(parseToken(token.slice(0, i) + token.slice(i + 1))).toBeNull();
      expect(parseToken(token.slice(0, i) + 'a' + token.slice(i))).toBeNull();
      const swapped = token.slice(0, i) + (token[i + 1] ?? '') + token[i] + token.slice(i + 2);
      if (swapped !== token) expect(parseToken(swapped)).toBeNull();
    }
  });

  it('rejects made-up tokens of the right shape (the checksum does not match)', () => {
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const fake = `lk_${Array.from({ length: 49 }, () => ALPHABET[Math.floor(Math.random() * 62)]).join('')}`;
      if (parseToken(fake) !== null) accepted++;
    }
    expect(accepted).toBe(0);
  });
});

describe('stripBearer', () => {
  it('removes only a leading "Bearer" followed by whitespace', () => {
    expect(stripBearer('Bearer abc')).toBe('abc');
    expect(stripBearer('Bearerabc')).toBe('Bearerabc');
    expect(stripBearer('Bearer')).toBe('Bearer');
    expect(stripBearer('Basic abc')).toBe('Basic abc');
  });
});

describe('digest, hint and key id', () => {
  const token = generateToken('lk');

  it('digests with SHA-256 as 64 lowercase hex characters', () => {
    expect(digestToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
    expect(digestToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hints with the prefix and the last 4 characters (checksum only, no secret)', () => {
    const hint = tokenHint(token);
    expect(hint).toBe(`lk_…${token.slice(-4)}`);
    // The last 6 characters are the checksum, so the hint shows none of the 43 secret ones.
    expect(hint.length).toBeLessThan(12);
  });

  it('hints imported tokens with at most one character in eight, and never more than 4', () => {
    expect(tokenHint('sk_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ')).toBe('…WXYZ');
    expect(tokenHint('legacy-ABCDEFGHIJ')).toBe('…IJ');
    expect(tokenHint('abcdefgh')).toBe('…h');
    expect(tokenHint('short')).toBe('…');
  });

  it('makes key ids of 32 lowercase hex characters', () => {
    const id = newKeyId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(KEY_ID_PATTERN.test(id)).toBe(true);
    expect(newKeyId()).not.toBe(id);
  });
});
