import { LatchkeyError } from '../../core/errors';

/**
 * A unique index refused the write: MongoDB's code 11000. FerretDB 1.x on SQLite answers
 * an update that breaks a unique index with InternalError (code 1) and SQLite's message.
 */
export function isDuplicateKey(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (code === 11000) return true;
  return code === 1 && typeof message === 'string' && message.includes('UNIQUE constraint failed');
}

/** Errors that mean "the database cannot be reached right now", not "this request is wrong". */
const OUTAGE_ERRORS = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
]);

export const isOutage = (e: unknown): boolean => e instanceof Error && OUTAGE_ERRORS.has(e.name);

/**
 * Wraps a store so that a lost connection surfaces as Latchkey's `unavailable`
 * error (503 from the error handler) instead of an unexpected 500. The driver
 * keeps reconnecting on its own, so the next call after MongoDB is back succeeds.
 */
export function outagesAsUnavailable<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(obj, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((e: unknown) => {
          if (isOutage(e)) throw new LatchkeyError('unavailable', 'The database is unreachable.');
          throw e;
        });
      };
    },
  });
}
