import type Database from 'better-sqlite3';
import type { Page, Paged } from '../../core/store';
import { RowReader, type Row } from './row-reader';

export type Params = unknown[];

/** Enough for every fixed statement and the filter combinations the lists use. */
const MAX_CACHED_STATEMENTS = 512;

/**
 * The one way the adapter runs SQL: each role asks this for a statement by its text and
 * by what it answers (object rows, one column's values, or nothing), and gets one that is
 * prepared once and kept. Statements built from a filter are kept too, up to a bound.
 */
export class Sql {
  private readonly rowReaders = new Map<string, RowReader>();
  private readonly valueReaders = new Map<string, Database.Statement<Params, unknown>>();
  private readonly writers = new Map<string, Database.Statement<Params, unknown>>();

  constructor(private readonly db: Database.Database) {}

  /** A statement answering rows as objects keyed by column name. */
  rows(text: string): RowReader {
    return this.kept(this.rowReaders, text, () => new RowReader(this.db.prepare(text)));
  }

  /** A statement answering the first column's value of each row. */
  value<T>(text: string): Database.Statement<Params, T> {
    const statement = this.kept(this.valueReaders, text, () => this.db.prepare(text).pluck());
    return statement as Database.Statement<Params, T>;
  }

  /** A statement run for its effect (`changes`). */
  write(text: string): Database.Statement<Params, unknown> {
    return this.kept(this.writers, text, () => this.db.prepare(text));
  }

  /** better-sqlite3 transactions are synchronous: nothing else runs between their statements. */
  transaction<T, A extends unknown[] = []>(
    body: (...args: A) => T,
  ): Database.Transaction<(...args: A) => T> {
    return this.db.transaction(body);
  }

  private kept<S>(cache: Map<string, S>, text: string, prepare: () => S): S {
    let statement = cache.get(text);
    if (statement === undefined) {
      statement = prepare();
      if (this.cachedCount() < MAX_CACHED_STATEMENTS) cache.set(text, statement);
    }
    return statement;
  }

  private cachedCount(): number {
    return this.rowReaders.size + this.valueReaders.size + this.writers.size;
  }
}

/** One page of `SELECT * FROM base where` in `order`, with the count of all that match. */
export function paged<T>(
  sql: Sql,
  base: string,
  where: string,
  params: Params,
  order: string,
  page: Page,
  map: (row: Row) => T,
): Paged<T> {
  const total = sql.value<number>(`SELECT COUNT(*) FROM ${base} ${where}`).get(...params);
  const items = sql
    .rows(`SELECT * FROM ${base} ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
    .all(...params, page.limit, page.offset)
    .map(map);
  return { items, total: Number(total) };
}

/** A LIKE pattern matching `s` anywhere, with LIKE's own characters escaped by `\`. */
export const likeEscape = (s: string): string => `%${escapeLike(s)}%`;

/** A LIKE pattern matching text that starts with `s`. */
export const likePrefix = (s: string): string => `${escapeLike(s)}%`;

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

// Not `instanceof Error`: the native module's errors come from the realm that first loaded it
// (under jest, another test file's), so only the code is reliable.
export const isUniqueViolation = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'].includes(
    String((e as { code?: string }).code),
  );

/** Runs an insert or update, answering `taken` instead of throwing on a unique violation. */
export function unlessTaken<T, Taken>(write: () => T, taken: Taken): T | Taken {
  try {
    return write();
  } catch (e) {
    if (isUniqueViolation(e)) return taken;
    throw e;
  }
}
