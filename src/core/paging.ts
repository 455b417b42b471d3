import { LatchkeyError } from './errors';

/** Which page of a list to return: `pageSize` items (1-1000, default 10), from page 0. */
export interface PageRequest {
  pageSize?: number;
  pageNumber?: number;
}

export const MAX_PAGE_SIZE = 1000;

export function pageOf(req: PageRequest = {}): {
  limit: number;
  offset: number;
  pageSize: number;
  pageNumber: number;
} {
  const pageSize = req?.pageSize ?? 10;
  const pageNumber = req?.pageNumber ?? 0;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw LatchkeyError.field('pageSize', `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  if (!Number.isInteger(pageNumber) || pageNumber < 0 || pageNumber > 1_000_000) {
    throw LatchkeyError.field('pageNumber', 'must be a whole number, 0 or more');
  }
  return { limit: pageSize, offset: pageSize * pageNumber, pageSize, pageNumber };
}

/** A "contains" filter goes to the store as text, so anything else is refused here. */
export function textFilter(filter: unknown, name: string): string | undefined {
  const value = (filter as Record<string, unknown> | null | undefined)?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 320)
    throw LatchkeyError.field(name, 'must be text of at most 320 characters');
  return value;
}
