import type { Model, QueryFilter } from 'mongoose';
import type { Page, Paged } from '../../core/store';
import { isDuplicateKey } from './mongo-errors';

/** findOneAndUpdate options: answer with the updated document, validated like an insert. */
export const AFTER = { returnDocument: 'after' as const, runValidators: true };

/** Limit and offset as MongoDB wants them: whole, non-negative (a limit of 0 means "none" there). */
function pageWindow(page: Page): { limit: number; skip: number } {
  const whole = (n: unknown) =>
    typeof n === 'number' && n > 0 ? Math.min(Math.floor(n), 2 ** 31 - 1) : 0;
  return { limit: whole(page.limit), skip: whole(page.offset) };
}

/** True when inserted, false when a unique index refused the document. */
export async function insertedOrDuplicate(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (e) {
    if (isDuplicateKey(e)) return false;
    throw e;
  }
}

/** One page of `model` and the total count; a null filter (an invalid one) finds nothing. */
export async function paged<Doc, T>(
  model: Model<Doc>,
  filter: QueryFilter<Doc> | null,
  sort: Record<string, 1 | -1>,
  page: Page,
  map: (doc: Doc) => T,
): Promise<Paged<T>> {
  if (filter === null) return { items: [], total: 0 };
  const { limit, skip } = pageWindow(page);
  const [total, docs] = await Promise.all([
    model.countDocuments(filter),
    limit === 0 ? [] : model.find(filter).sort(sort).skip(skip).limit(limit).lean<Doc[]>(),
  ]);
  return { items: docs.map(map), total };
}
