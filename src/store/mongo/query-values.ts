import { LatchkeyError } from '../../core/errors';
import { hasUnsafeKey } from '../../core/inputs';

/**
 * Every value that reaches a MongoDB filter passes through here first. A filter
 * value that is an object (say `{"$ne": null}` from a JSON body) would be read
 * by MongoDB as an operator and match records it must not, so ids and filter
 * strings must be strings, and anything else matches nothing.
 */

const MAX_ID_LENGTH = 512;

/** The id as a string, or null when it is not a usable string (the caller answers "not found"). */
export function asId(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH
    ? value
    : null;
}

/** The ids that are usable strings; the others are dropped. */
export function asIds(values: unknown): string[] {
  return Array.isArray(values) ? values.flatMap((v) => asId(v) ?? []) : [];
}

/** A finite number, or null. Numbers in filters must not be objects either. */
export function asNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Case-insensitive "contains" with every character taken literally (like SQL LIKE with escapes). */
export function containsRegex(text: string): RegExp {
  return new RegExp(escapeRegex(text), 'i');
}

/** Case-insensitive "starts with", literal. */
export function prefixRegex(text: string): RegExp {
  return new RegExp(`^${escapeRegex(text)}`, 'i');
}

export { hasUnsafeKey };

/**
 * The core already refuses such metadata keys on every store; this is the same
 * rule at the last step before MongoDB, with the same message, so no caller of
 * the store can write a key MongoDB would read as an operator or a path.
 */
export function assertStorableJson(field: string, value: unknown): void {
  if (hasUnsafeKey(value)) {
    throw LatchkeyError.field(field, 'keys must not start with "$" or contain "."');
  }
}
