import { parseToken, tokenHint } from './token';

/**
 * Finding Latchkey tokens in text with no database: a token has a fixed shape and a
 * CRC-32 checksum (see token.ts), so a string of that shape whose checksum matches is
 * almost surely a real token, and a look-alike (a typo, an invented example) is not.
 */

/** A prefix not glued to a longer lowercase word, then the 49 base62 characters, then no more. */
const CANDIDATE = /(?<![a-z0-9])[a-z0-9]{1,12}_[0-9A-Za-z]{49}(?![0-9A-Za-z])/g;

export interface TokenFound {
  /** 1-based line and column of the token's first character. */
  line: number;
  column: number;
  token: string;
  /** The prefix and last 4 characters, safe to print. */
  hint: string;
}

/** Every token with a valid checksum in the text, in order. */
export function findTokens(text: string): TokenFound[] {
  const found: TokenFound[] = [];
  let line = 1;
  let lineStart = 0;
  let counted = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const token = parseToken(match[0]);
    if (token === null) continue;
    for (let i = counted; i < match.index; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    counted = match.index;
    found.push({ line, column: match.index - lineStart + 1, token, hint: tokenHint(token) });
  }
  return found;
}
