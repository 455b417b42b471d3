import { randomUUID } from 'node:crypto';
import type { Latchkey } from '../../src/latchkey';
import type { Store } from '../../src/core/store';
import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite';

/** A user who is an Admin of one org: the smallest world every key kind can live in. */
export async function aWorld(lk: Latchkey) {
  const user = await lk.createUser({
    email: `ada-${randomUUID().slice(0, 8)}@example.com`,
    password: 'correct horse battery',
  });
  const org = await lk.createOrg({ name: 'Acme Inc' });
  await lk.addUserToOrg(org.id, user.id, 'Admin');
  return { user, org };
}

/** An in-memory SQLite store that counts calls per method, to prove what touches the store. */
export function aCountingStore(inner: Store = createSqliteStore(':memory:')) {
  const calls: Record<string, number> = {};
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        calls[prop] = (calls[prop] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const total = (names?: string[]) =>
    Object.entries(calls)
      .filter(([name]) => !names || names.includes(name))
      .reduce((sum, [, n]) => sum + n, 0);
  const reset = () => {
    for (const k of Object.keys(calls)) delete calls[k];
  };
  return { store, calls, total, reset };
}

/** How many validation reads a counting store saw, whichever way the validator asked. */
export const validationReads = (counting: ReturnType<typeof aCountingStore>): number =>
  counting.total(['findKeyForValidation', 'findKeyForValidationSync']);

/** The store as an adapter that waits on I/O (MongoDB) presents it: no synchronous read. */
export function withoutSyncReads(store: Store): Store {
  return new Proxy(store, {
    get: (target, prop, receiver) =>
      prop === 'findKeyForValidationSync' ? undefined : Reflect.get(target, prop, receiver),
  });
}

/**
 * A store whose validation read answers `delayMs` after reading, as a networked store does:
 * lookups are then in flight while other work (a revoke, say) is acknowledged.
 */
export function withSlowValidationReads(store: Store, delayMs: number): Store {
  const read = store.findKeyForValidation.bind(store);
  const slowRead = async (digest: string) => {
    const found = await read(digest);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return found;
  };
  return new Proxy(store, {
    get: (target, prop, receiver) =>
      prop === 'findKeyForValidationSync'
        ? undefined
        : prop === 'findKeyForValidation'
          ? slowRead
          : Reflect.get(target, prop, receiver),
  });
}

/** Makes every validation read fail with `error`, whichever way the validator asks; returns the undo. */
export function failValidationReads(store: Store, error: Error): () => void {
  const spies: { mockRestore(): void }[] = [
    jest.spyOn(store, 'findKeyForValidation').mockRejectedValue(error),
  ];
  if (store.findKeyForValidationSync) {
    spies.push(
      jest.spyOn(store, 'findKeyForValidationSync').mockImplementation(() => {
        throw error;
      }),
    );
  }
  return () => spies.forEach((spy) => spy.mockRestore());
}

/** Counts validation reads of a store, whichever way the validator asks. */
export function spyOnValidationReads(store: Store): { count(): number } {
  const spies: { mock: { calls: unknown[] } }[] = [jest.spyOn(store, 'findKeyForValidation')];
  if (store.findKeyForValidationSync) spies.push(jest.spyOn(store, 'findKeyForValidationSync'));
  return { count: () => spies.reduce((n, spy) => n + spy.mock.calls.length, 0) };
}

/** Store methods that write; used to prove a rejected call stored nothing. */
export const WRITE_METHODS = [
  'insertUser',
  'updateUser',
  'deleteUserAndArchiveKeys',
  'insertOrg',
  'updateOrg',
  'deleteOrgAndArchiveKeys',
  'upsertMembership',
  'removeMemberAndArchiveTheirOrgKeys',
  'insertKey',
  'updateKey',
  'archiveKey',
  'recordUsage',
  'saveSettings',
  'appendAudit',
];

/** Every row of every table of an SQLite store, as text: to prove what a call stored or left alone. */
export function dumpDatabase(store: Store): string {
  const db = (store as SqliteStore).db;
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
    .pluck()
    .all() as string[];
  return tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all())).join('\n');
}
