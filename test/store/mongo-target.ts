import { randomBytes } from 'node:crypto';
import { createMongoStore, type MongoStore } from '../../src/store/mongo';
import type { CreateMongoStoreOptions } from '../../src/store/mongo';

/**
 * Where the Mongo tests can find a MongoDB: the run's MONGODB_URI (kept for them as
 * TEST_MONGODB_URI by test/support/test-database-env.ts), or a mongod binary
 * named by MONGOMS_SYSTEM_BINARY that mongodb-memory-server-core starts (never
 * downloads). Null with the reason when there is neither.
 */
export type MongoTarget =
  | { kind: 'uri'; uri: string }
  | { kind: 'binary'; binary: string }
  | { kind: 'none'; reason: string };

export function mongoTarget(env: NodeJS.ProcessEnv = process.env): MongoTarget {
  const uri = env.TEST_MONGODB_URI ?? env.MONGODB_URI;
  if (uri) return { kind: 'uri', uri };
  if (env.MONGOMS_SYSTEM_BINARY) return { kind: 'binary', binary: env.MONGOMS_SYSTEM_BINARY };
  return {
    kind: 'none',
    reason:
      'neither MONGODB_URI nor MONGOMS_SYSTEM_BINARY is set (no MongoDB server to test against)',
  };
}

interface RunningMongo {
  uri: string;
  stop(): Promise<void>;
}

/** Starts a throwaway mongod from the system binary: standalone, or a one-node replica set. */
export async function startMemoryMongo(binary: string, replicaSet: boolean): Promise<RunningMongo> {
  // Never fetch a binary from the network: only the one on this machine may run.
  process.env.MONGOMS_RUNTIME_DOWNLOAD = 'false';
  const { MongoMemoryServer, MongoMemoryReplSet } = await import('mongodb-memory-server-core');
  const server = replicaSet
    ? await MongoMemoryReplSet.create({
        binary: { systemBinary: binary },
        replSet: { count: 1, storageEngine: 'wiredTiger', ip: '127.0.0.1' },
      })
    : await MongoMemoryServer.create({
        binary: { systemBinary: binary },
        instance: { ip: '127.0.0.1' },
      });
  return { uri: server.getUri(), stop: async () => void (await server.stop()) };
}

/** A store on a fresh database of its own, dropped again when the store is closed. */
export async function freshStore(
  uri: string,
  options: Partial<CreateMongoStoreOptions> = {},
): Promise<MongoStore> {
  const dbName = `latchkey_test_${randomBytes(6).toString('hex')}`;
  const store = await createMongoStore({
    uri,
    dbName,
    serverSelectionTimeoutMS: 5_000,
    ...options,
  });
  const close = store.close.bind(store);
  store.close = async () => {
    await store.connection.dropDatabase();
    await close();
  };
  return store;
}
