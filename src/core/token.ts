import { hash, randomBytes } from 'node:crypto';

/**
 * Token format: `<prefix>_<secret><checksum>`
 *   prefix   1-12 chars of [a-z0-9], so secret scanners can spot leaked keys
 *   secret   43 base62 chars = 256 bits from crypto.randomBytes
 *   checksum 6 base62 chars of CRC32 over `<prefix>_<secret>`, so a mistyped
 *            or invented token is rejected without touching the store
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const TOKEN_PATTERN = /^([a-z0-9]{1,12})_([0-9A-Za-z]{49})$/;
export const PREFIX_PATTERN = /^[a-z0-9]{1,12}$/;
/** Longest header value worth parsing; anything longer cannot be one of our tokens. */
const MAX_RAW_LENGTH = 512;

function base62(value: bigint, length: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(v % 62n)] + out;
    v /= 62n;
  }
  return out;
}

/** CRC-32 as zlib computes it (IEEE polynomial, reflected), one entry per byte value. */
const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** Whether a character code may appear in a prefix ([a-z0-9]) or in the secret and checksum (base62). */
const PREFIX_CHAR = new Uint8Array(128);
const BASE62_CHAR = new Uint8Array(128);
for (const c of ALPHABET) {
  BASE62_CHAR[c.charCodeAt(0)] = 1;
  if (!/[A-Z]/.test(c)) PREFIX_CHAR[c.charCodeAt(0)] = 1;
}

/**
 * CRC-32 of an ASCII string (its UTF-8 bytes are its char codes). In JS rather than
 * zlib.crc32: it runs on every validation, and encoding the string for the native
 * call costs more than the CRC of 50 characters.
 */
function crc32Ascii(text: string, end = text.length): number {
  let crc = -1;
  for (let i = 0; i < end; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

function checksum(body: string): string {
  let out = '';
  let v = crc32Ascii(body);
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out;
}

/**
 * TOKEN_PATTERN and the checksum in one pass over the characters, building no
 * strings: what parseToken() would accept once any "Bearer " is stripped.
 */
function isWellFormed(token: string): boolean {
  const bodyEnd = token.length - CHECKSUM_LENGTH;
  const underscore = bodyEnd - SECRET_LENGTH - 1;
  if (underscore < 1 || underscore > 12 || token.charCodeAt(underscore) !== 95) return false;
  for (let i = 0; i < bodyEnd; i++) {
    const c = token.charCodeAt(i);
    if (i < underscore ? PREFIX_CHAR[c] !== 1 : i > underscore && BASE62_CHAR[c] !== 1)
      return false;
  }
  // The checksum's base62 digits, least significant last.
  let v = crc32Ascii(token, bodyEnd);
  for (let i = token.length - 1; i >= bodyEnd; i--) {
    if (token.charCodeAt(i) !== ALPHABET.charCodeAt(v % 62)) return false;
    v = Math.floor(v / 62);
  }
  return true;
}

/** The plain `Bearer <token>` that clients send: nothing for stripBearer() to trim. */
function isPlainBearer(raw: string): boolean {
  return (
    raw.startsWith('Bearer ') &&
    BASE62_CHAR[raw.charCodeAt(7)] === 1 &&
    BASE62_CHAR[raw.charCodeAt(raw.length - 1)] === 1
  );
}

export function generateToken(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix))
    throw new Error('token prefix must be 1-12 characters of [a-z0-9]');
  const secret = base62(BigInt(`0x${randomBytes(32).toString('hex')}`), SECRET_LENGTH);
  const body = `${prefix}_${secret}`;
  return body + checksum(body);
}

/** Removes an optional (case-insensitive) "Bearer " and surrounding spaces. */
export function stripBearer(raw: string): string {
  const trimmed = raw.trim();
  return /^bearer\s/i.test(trimmed) ? trimmed.slice(7).trim() : trimmed;
}

/**
 * Returns the token if `raw` (with or without "Bearer ") is well formed and its
 * checksum matches, else null. Pure: no store access.
 */
export function parseToken(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_RAW_LENGTH) return null;
  const token = isPlainBearer(raw) ? raw.slice(7) : stripBearer(raw);
  return isWellFormed(token) ? token : null;
}

export const MIN_IMPORTED_TOKEN_LENGTH = 8;
export const MAX_IMPORTED_TOKEN_LENGTH = 512;

/**
 * A token from another system as it is hashed, both when it is imported and when it is
 * validated: without "Bearer " and surrounding spaces. One rule for both, or a token
 * imported as "Bearer …" would be stored under a digest no validation ever computes.
 */
export const importedTokenOf = (raw: string): string => stripBearer(raw);

/**
 * Returns the token of a key imported from another system (with or without "Bearer "),
 * or null when it cannot be one. Such tokens have no format or checksum of ours: only
 * their length is checked.
 */
export function parseImportedToken(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 1024) return null;
  const token = importedTokenOf(raw);
  return token.length < MIN_IMPORTED_TOKEN_LENGTH || token.length > MAX_IMPORTED_TOKEN_LENGTH
    ? null
    : token;
}

export function digestToken(token: string): string {
  // One-shot hash: no Hash object per request.
  return hash('sha256', token, 'hex');
}

/**
 * A short reminder safe to show in lists: the prefix and the last 4 characters (all
 * checksum) of a native token; of an imported token at most one character in eight,
 * so a short legacy token does not give away half its secret.
 */
export function tokenHint(token: string): string {
  const match = TOKEN_PATTERN.exec(token);
  if (match) return `${match[1]}_…${token.slice(-4)}`;
  const shown = Math.min(4, Math.floor(token.length / 8));
  return shown > 0 ? `…${token.slice(-shown)}` : '…';
}

/** 32 lowercase hex characters. */
export function newKeyId(): string {
  return randomBytes(16).toString('hex');
}

export const KEY_ID_PATTERN = /^[0-9a-f]{32}$/;
