import mongoose, { type ConnectOptions, type Connection } from 'mongoose';

export interface MongoConnectionConfig {
  /** mongodb:// or mongodb+srv:// connection string (MONGODB_URI). */
  uri: string;
  /** Database name; defaults to the one in the URI, else "latchkey". */
  dbName?: string;
  /** How long to wait for a reachable server before an operation fails (default 5 s). */
  serverSelectionTimeoutMS?: number;
  /** Extra driver options, passed through. */
  driverOptions?: ConnectOptions;
  /** Where the URI was set, named in connection errors (default MONGODB_URI). */
  uriSource?: string;
}

const MONGO_URI = /^mongodb(\+srv)?:\/\/([^/?#]*@)?([^/?#]+)(\/[^?#]*)?(\?[^#]*)?$/;

export const isMongoUri = (value: string): boolean => MONGO_URI.test(value);

/** The database named in the URI path, if any. */
export function databaseNameOf(uri: string): string | undefined {
  const path = MONGO_URI.exec(uri)?.[4];
  const name = path ? decodeURIComponent(path.slice(1)) : '';
  return name === '' ? undefined : name;
}

/**
 * The URI with credentials and options removed, safe for logs and errors:
 * `mongodb://alice:s3cret@db1,db2/latchkey?tls=true` → `mongodb://***@db1,db2/latchkey`.
 */
export function redactMongoUri(uri: string): string {
  const m = MONGO_URI.exec(uri);
  if (!m) return '(not a mongodb:// URI)';
  return `mongodb${m[1] ?? ''}://${m[2] ? '***@' : ''}${m[3]}${m[4] ?? ''}`;
}

/** The user name and password in the URI, so they can be scrubbed from driver messages. */
function secretsOf(uri: string): string[] {
  const userinfo = MONGO_URI.exec(uri)?.[2]?.slice(0, -1);
  if (!userinfo) return [];
  const parts = userinfo.split(':');
  const decoded = parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return [uri, userinfo, ...parts, ...decoded].filter((s) => s.length >= 3);
}

/** Whether the URI's query sets an option (names are case-insensitive there). */
function uriSets(uri: string, option: string): boolean {
  const query = MONGO_URI.exec(uri)?.[5] ?? '';
  return [...new URLSearchParams(query.slice(1)).keys()].some(
    (k) => k.toLowerCase() === option.toLowerCase(),
  );
}

/**
 * The options Latchkey connects with. Options given in code override the URI
 * in the driver, so defaults apply only where the URI says nothing;
 * anything in `driverOptions` wins over both.
 */
export function mongoConnectOptions(config: MongoConnectionConfig): ConnectOptions {
  const unlessInUri = <K extends keyof ConnectOptions>(key: K, value: ConnectOptions[K]) =>
    uriSets(config.uri, key) ? {} : { [key]: value };
  return {
    dbName: config.dbName ?? databaseNameOf(config.uri) ?? 'latchkey',
    ...unlessInUri('appName', 'latchkey'),
    ...unlessInUri('serverSelectionTimeoutMS', config.serverSelectionTimeoutMS ?? 5_000),
    // Fail fast instead of queueing while disconnected: the middleware answers 503 and the
    // driver reconnects in the background, so requests succeed again once MongoDB is back.
    bufferCommands: false,
    autoIndex: true,
    autoCreate: true,
    ...config.driverOptions,
  };
}

/** An Error that names MONGODB_URI and the redacted address, with no credentials in it. */
export function connectionFailure(
  uri: string,
  cause: unknown,
  what = 'Could not connect to MongoDB',
  source = 'MONGODB_URI',
): Error {
  let reason = cause instanceof Error ? cause.message : String(cause);
  for (const secret of secretsOf(uri)) reason = reason.split(secret).join('***');
  return new Error(`${what} at ${redactMongoUri(uri)} (set by ${source}): ${reason}`);
}

/** Opens a dedicated connection (not mongoose's global one) and waits until it is usable. */
export async function connectMongo(config: MongoConnectionConfig): Promise<Connection> {
  if (!isMongoUri(config.uri)) {
    throw new Error(
      `${config.uriSource ?? 'MONGODB_URI'} must start with mongodb:// or mongodb+srv:// and name a host (got ${redactMongoUri(config.uri)}).`,
    );
  }
  let conn: Connection | undefined;
  try {
    conn = mongoose.createConnection(config.uri, mongoConnectOptions(config));
    return await conn.asPromise();
  } catch (e) {
    await conn?.close().catch(() => undefined);
    throw connectionFailure(config.uri, e, undefined, config.uriSource);
  }
}
