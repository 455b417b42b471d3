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
