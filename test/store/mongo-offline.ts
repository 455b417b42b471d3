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
