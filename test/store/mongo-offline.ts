import mongoose from 'mongoose';
import { defineModels, type Models } from '../../src/store/mongo/models';
import { MongoStore } from '../../src/store/mongo/mongo-store';

/** Models on a connection that is never opened: enough for validation, indexes and spies. */
export function offlineModels(): Models {
  const conn = mongoose.createConnection();
  conn.set('autoIndex', false);
  conn.set('autoCreate', false);
  return defineModels(conn);
}

const QUERY_METHODS = [
  'aggregate',
  'bulkWrite',
  'countDocuments',
  'create',
  'deleteMany',
  'deleteOne',
  'exists',
  'find',
  'findOne',
  'findOneAndDelete',
  'findOneAndUpdate',
  'updateMany',
  'updateOne',
] as const;

/** A store whose every model method throws, so a test can prove a call never reached MongoDB. */
export function storeThatMustNotQuery(): { store: MongoStore; calls: string[] } {
  const models = offlineModels();
  const calls: string[] = [];
  for (const [name, model] of Object.entries(models)) {
    for (const method of QUERY_METHODS) {
      jest.spyOn(model as never, method).mockImplementation((() => {
        calls.push(`${name}.${method}`);
        throw new Error(`${name}.${method} reached the database`);
      }) as never);
    }
  }
  const store = new MongoStore(models.User.db, models, { useTransactions: false });
  return { store, calls };
}

export interface DriverCall {
  collection: string;
  method: string;
  args: unknown[];
}

/**
 * A store on a connection that never opens, with a very short buffer timeout:
 * every operation is cast by mongoose, recorded as the driver call it would
 * make, then fails. Shows what reaches MongoDB without a server.
 */
export function recordingStore(): { store: MongoStore; calls: DriverCall[] } {
  const conn = mongoose.createConnection();
  conn.set('autoIndex', false);
  conn.set('autoCreate', false);
  // Global to mongoose, but jest gives each test file its own copy of the module.
  mongoose.set('bufferTimeoutMS', 5);
  const calls: DriverCall[] = [];
  conn.on('buffer', (e: { collectionName: string; method: string; args: unknown[] }) =>
    calls.push({ collection: e.collectionName, method: e.method, args: [...e.args] }),
  );
  const store = new MongoStore(conn, defineModels(conn), { useTransactions: false });
  return { store, calls };
}

/** A query stand-in: chainable like a mongoose query, resolving to `value`. */
function query(value: unknown) {
  const q = {
    session: () => q,
    sort: () => q,
    lean: () => q,
    then: (resolve: (v: unknown) => unknown, reject?: (e: unknown) => unknown) =>
      Promise.resolve(value).then(resolve, reject),
  };
  return q;
}

/**
 * A store whose model methods answer from a script, logging "Model.method" in
 * call order; methods without an answer resolve to null. For checking the order
 * of the steps of a cascade.
 */
export function scriptedStore(
  answers: Record<string, unknown | (() => unknown)>,
  options: { useTransactions: boolean } = { useTransactions: false },
): {
  store: MongoStore;
  steps: string[];
  args: unknown[][];
} {
  const models = offlineModels();
  const steps: string[] = [];
  const args: unknown[][] = [];
  for (const [name, model] of Object.entries(models)) {
    for (const method of QUERY_METHODS) {
      jest.spyOn(model as never, method).mockImplementation(((...callArgs: unknown[]) => {
        const step = `${name}.${method}`;
        steps.push(step);
        args.push(callArgs);
        const answer = answers[step];
        return query(typeof answer === 'function' ? (answer as () => unknown)() : (answer ?? null));
      }) as never);
    }
  }
  const store = new MongoStore(models.User.db, models, options);
  return { store, steps, args };
}
