import { hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

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

/** Same digits as base62() for values below 2^53, without BigInt: it runs on every validation. */
function base62Small(value: number, length: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out;
}

function checksum(body: string): string {
  return base62Small(crc32(body), CHECKSUM_LENGTH);
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
  const token = stripBearer(raw);
  if (!TOKEN_PATTERN.test(token)) return null;
  const body = token.slice(0, token.length - CHECKSUM_LENGTH);
  return checksum(body) === token.slice(-CHECKSUM_LENGTH) ? token : null;
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
