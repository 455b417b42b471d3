import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createLatchkey, type Latchkey } from './latchkey';
import { createLogger, type Logger } from './logger';

export interface RunningServer {
  server: Server;
  latchkey: Latchkey;
  url: string;
  /** Stops accepting, lets in-flight requests finish, flushes usage and closes the store. */
  stop(): Promise<void>;
}

export async function startServer(
  config: Config,
  logger: Logger = createLogger({ level: config.LOG_LEVEL }),
): Promise<RunningServer> {
  const latchkey = await createLatchkey({
    databasePath: config.DATABASE_PATH,
    logger,
    cacheTtlMs: config.CACHE_TTL_MS,
    cacheMaxEntries: config.CACHE_MAX_ENTRIES,
    usageFlushIntervalMs: config.USAGE_FLUSH_INTERVAL_MS,
    bcryptCost: config.BCRYPT_COST,
  });
  const app = createApp(latchkey, config);
  const server = await new Promise<Server>((resolve, reject) => {
    // Express 5 hands a listen error (say, EADDRINUSE) to this callback.
    const s = app.listen(config.PORT, config.HOST, (err?: Error) =>
      err ? reject(err) : resolve(s),
    );
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
      await closed;
      clearTimeout(timer);
      await latchkey.close();
    })());
  return { server, latchkey, url, stop };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  const running = await startServer(config, logger);
  logger.info({ url: running.url, database: config.DATABASE_PATH }, 'Latchkey is listening');
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`Latchkey failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
