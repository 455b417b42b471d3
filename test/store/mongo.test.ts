import { describeStoreContract } from './contract';
import { freshStore, mongoTarget, startMemoryMongo } from './mongo-target';
import { describeMongoExtras } from './mongo-extras';

/**
 * The store contract against MongoDB, whenever one is reachable: MONGODB_URI,
 * or a mongod binary (MONGOMS_SYSTEM_BINARY) started as a standalone server and
 * as a one-node replica set, so cascades run both without and with transactions.
 */
const target = mongoTarget();

if (target.kind === 'none') {
  console.log(`Mongo contract suite skipped: ${target.reason}.`);
  describe('MongoDB store contract', () => {
    it.skip(`is skipped because ${target.reason}`, () => undefined);
  });
} else if (target.kind === 'uri') {
  describeStoreContract('MongoDB (MONGODB_URI)', () => freshStore(target.uri));
  describeMongoExtras('MongoDB (MONGODB_URI)', async () => target.uri);
} else {
  for (const replicaSet of [false, true]) {
    const label = replicaSet ? 'MongoDB replica set' : 'MongoDB standalone';
    let running: ReturnType<typeof startMemoryMongo> | null = null;
    const uri = async () => (await (running ??= startMemoryMongo(target.binary, replicaSet))).uri;
    afterAll(async () => {
      if (running) await (await running).stop();
    });
    describeStoreContract(label, async () => freshStore(await uri()));
    describeMongoExtras(label, uri);
  }
}
