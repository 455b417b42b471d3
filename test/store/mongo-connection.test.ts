import net from 'node:net';
import { loadConfig, mongoUriOf } from '../../src/config';
import { createMongoStore } from '../../src/store/mongo';
import {
  connectionFailure,
  databaseNameOf,
  isMongoUri,
  mongoConnectOptions,
  redactMongoUri,
} from '../../src/store/mongo/connection';

/** Choosing, parsing and opening the MongoDB connection; failures only need a closed port. */

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('MongoDB connection string', () => {
  it('recognises mongodb:// and mongodb+srv:// URIs only', () => {
    expect(isMongoUri('mongodb://localhost:27017/latchkey')).toBe(true);
    expect(isMongoUri('mongodb+srv://u:p@cluster0.example.net/db?retryWrites=true')).toBe(true);
    expect(isMongoUri('mongodb://a:1,b:2,c:3/db?replicaSet=rs0')).toBe(true);
    expect(isMongoUri('postgres://localhost/db')).toBe(false);
    expect(isMongoUri('mongodb://')).toBe(false);
  });

  it('redacts credentials and options, keeping hosts and database', () => {
    expect(redactMongoUri('mongodb://alice:s3cret@db1:27017,db2/latchkey?authSource=admin')).toBe(
      'mongodb://***@db1:27017,db2/latchkey',
    );
    expect(redactMongoUri('mongodb+srv://cluster0.example.net')).toBe(
      'mongodb+srv://cluster0.example.net',
    );
    expect(redactMongoUri('https://user:pw@host')).toBe('(not a mongodb:// URI)');
  });

  it('takes the database from the URI, else "latchkey", unless one is given', () => {
    expect(databaseNameOf('mongodb://h/prod')).toBe('prod');
    expect(databaseNameOf('mongodb://h/?replicaSet=rs0')).toBeUndefined();
    expect(mongoConnectOptions({ uri: 'mongodb://h/prod' }).dbName).toBe('prod');
    expect(mongoConnectOptions({ uri: 'mongodb://h' }).dbName).toBe('latchkey');
    expect(mongoConnectOptions({ uri: 'mongodb://h/prod', dbName: 'other' }).dbName).toBe('other');
  });

  it('fails fast instead of queueing commands while disconnected', () => {
    const options = mongoConnectOptions({ uri: 'mongodb://h' });
    expect(options).toMatchObject({
      bufferCommands: false,
      serverSelectionTimeoutMS: 5000,
      appName: 'latchkey',
    });
    const fromUri = mongoConnectOptions({ uri: 'mongodb://h/?serverSelectionTimeoutMS=300' });
    expect(fromUri).not.toHaveProperty('serverSelectionTimeoutMS');
    const custom = mongoConnectOptions({ uri: 'mongodb://h', driverOptions: { maxPoolSize: 5 } });
    expect(custom.maxPoolSize).toBe(5);
  });

  it('scrubs the password from a driver message', () => {
    const uri = 'mongodb://alice:p%40ss-word@db1/latchkey';
    const err = connectionFailure(uri, new Error('auth failed for alice with p@ss-word'));
    expect(err.message).toContain('MONGODB_URI');
    expect(err.message).toContain('mongodb://***@db1/latchkey');
    expect(err.message).not.toMatch(/p@ss-word|p%40ss-word|alice/);
  });
});

describe('createMongoStore', () => {
  it('rejects with a clear error naming MONGODB_URI, without credentials, when nothing listens', async () => {
    const port = await closedPort();
    const uri = `mongodb://admin:hunter22@127.0.0.1:${port}/latchkey`;
    const failure = createMongoStore({ uri, serverSelectionTimeoutMS: 300 });
    await expect(failure).rejects.toThrow(
      /^Could not connect to MongoDB at mongodb:\/\/\*\*\*@127\.0\.0\.1:\d+\/latchkey \(set by MONGODB_URI\)/,
    );
    await expect(failure).rejects.not.toThrow(/hunter22|admin/);
  });

  it('rejects a URI that is not a MongoDB one, naming MONGODB_URI', async () => {
    await expect(createMongoStore({ uri: 'mysql://root:pw@localhost/db' })).rejects.toThrow(
      'MONGODB_URI must start with mongodb:// or mongodb+srv://',
    );
  });
});

describe('choosing MongoDB in the configuration', () => {
  it('keeps SQLite as the default', () => {
    expect(mongoUriOf(loadConfig({}))).toBeUndefined();
  });

  it('uses MONGODB_URI, or DATABASE_URL when it is a mongodb:// URL; MONGODB_URI wins', () => {
    expect(mongoUriOf(loadConfig({ DATABASE_URL: 'mongodb://h/a' }))).toBe('mongodb://h/a');
    expect(
      mongoUriOf(loadConfig({ DATABASE_URL: 'mongodb://h/a', MONGODB_URI: 'mongodb://h/b' })),
    ).toBe('mongodb://h/b');
  });

  it('refuses other URLs without echoing them, since they may hold passwords', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:pw@h/db' })).toThrow(
      /DATABASE_URL: must be a mongodb:\/\/ or mongodb\+srv:\/\/ URL/,
    );
    expect(() => loadConfig({ MONGODB_URI: 'http://u:pw@h' })).not.toThrow(/pw/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:pw@h/db' })).not.toThrow(/pw@/);
  });
});

describe('starting the server on MongoDB', () => {
  it('fails with a message naming MONGODB_URI when MongoDB cannot be reached', async () => {
    const { startServer } = await import('../../src/server');
    const port = await closedPort();
    const config = loadConfig({
      MONGODB_URI: `mongodb://ops:topsecret@127.0.0.1:${port}/latchkey?serverSelectionTimeoutMS=300`,
      PORT: '0',
      LOG_LEVEL: 'silent',
    });
    const started = startServer(config);
    await expect(started).rejects.toThrow(
      /Could not connect to MongoDB at .* \(set by MONGODB_URI\)/,
    );
    await expect(started).rejects.not.toThrow(/topsecret/);
  });
});
