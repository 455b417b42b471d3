import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestListener } from './app';
import {
  ConfigError,
  loadConfig,
  mongoConnectionOf,
  mongoUriOf,
  sqliteStartupError,
  StartupError,
  type Config,
} from './config';
import { createLatchkey, type Latchkey } from './latchkey';
import { createLogger, type Logger } from './logger';
import { startMetricsServer } from './metrics/endpoint';
import { createMongoStore, followMongoChanges, redactMongoUri } from './store/mongo';
import { holdDatabaseFile } from './store/sqlite/server-lock';
import { announceSetupLink, removeStaleSetupLink } from './setup-link';
import { trustProxyWarning } from './trust-proxy';

export interface RunningServer {
  server: Server;
  latchkey: Latchkey;
  url: string;
  /** Where metrics are served when METRICS_PORT is set. */
  metricsUrl?: string;
  /** Stops accepting, lets in-flight requests finish, flushes usage and closes the store. */
  stop(): Promise<void>;
}

export async function startServer(
  config: Config,
  logger: Logger = createLogger({ level: config.LOG_LEVEL }),
): Promise<RunningServer> {
  const mongo = mongoConnectionOf(config);
  const store = mongo ? await createMongoStore(mongo) : undefined;
  const latchkey = await createLatchkey({
    store,
    databasePath: config.DATABASE_PATH,
    logger,
    consistency: config.CONSISTENCY,
    cacheTtlMs: config.CACHE_TTL_MS,
    cacheMaxEntries: config.CACHE_MAX_ENTRIES,
    usageFlushIntervalMs: config.USAGE_FLUSH_INTERVAL_MS,
    bcryptCost: config.BCRYPT_COST,
    invalidKeyLimitPerMinute: config.INVALID_KEY_LIMIT_PER_MINUTE,
    rateLimitBackend: config.RATE_LIMIT_BACKEND,
    email: emailOf(config),
    expiryIntervalMs: config.EXPIRY_REMINDER_INTERVAL_MS,
    webhookAllowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
    webhookDeliveryIntervalMs: config.WEBHOOK_DELIVERY_INTERVAL_MS,
    scopes: config.SCOPES,
  }).catch((err: unknown) => {
    // The SQLite file is the one thing here a bad variable can stop from opening.
    throw store ? err : sqliteStartupError(config.DATABASE_PATH, err);
  });
  // Several processes on one MongoDB: drop cached lookups when another one changes something.
  const watch = store
    ? await followMongoChanges(
        store,
        {
          validator: {
            forget: (digest) => latchkey.forgetCachedValidations(digest),
            forgetAll: () => latchkey.forgetCachedValidations(),
          },
          settingsHolder: { reload: () => latchkey.reloadSettings() },
        },
        logger,
      )
    : null;
  const trustWarning = trustProxyWarning(config.TRUST_PROXY);
  if (trustWarning) logger.warn({ setting: 'TRUST_PROXY' }, trustWarning);
  const lifecycle = { draining: false };
  const listener = createRequestListener(latchkey, config, lifecycle);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createServer(listener);
    s.once('error', reject);
    s.listen(config.PORT, config.HOST, () => resolve(s));
  }).catch(async (err: unknown) => {
    await watch?.close();
    await latchkey.close();
    throw listenProblem(err, config);
  });
  const metricsServer =
    config.METRICS_ENABLED && config.METRICS_PORT !== undefined
      ? await startMetricsServer(
          config.METRICS_PORT,
          latchkey.metrics().registry,
          config.METRICS_TOKEN,
        ).catch(async (err: unknown) => {
          server.close();
          await watch?.close();
          await latchkey.close();
          throw listenProblem(
            err,
            { ...config, PORT: config.METRICS_PORT!, HOST: '127.0.0.1' },
            'METRICS_PORT',
          );
        })
      : null;
  // Tells `latchkey restore` a server has this SQLite file open.
  const fileLock = store ? null : holdDatabaseFile(config.DATABASE_PATH);
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      // Readiness fails first, so a load balancer stops sending before connections close.
      lifecycle.draining = true;
      if (config.SHUTDOWN_DRAIN_MS > 0)
        await new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_DRAIN_MS));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Kept-alive connections go as soon as their in-flight request is answered.
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
      await closed;
      clearInterval(idle);
      clearTimeout(timer);
      await watch?.close();
      await latchkey.close();
      metricsServer?.server.close();
      fileLock?.release();
    })());
  return { server, latchkey, url, metricsUrl: metricsServer?.url, stop };
}

/** Email to key owners when SMTP_URL is set; links point at PUBLIC_URL (else HOST:PORT). */
function emailOf(config: Config) {
  if (!config.SMTP_URL) return undefined;
  const origin = (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, '');
  return {
    smtpUrl: config.SMTP_URL,
    from: config.EMAIL_FROM,
    pagesUrl: `${origin}${config.PAGES_BASE_PATH === '/' ? '' : config.PAGES_BASE_PATH}`,
  };
}

function listenProblem(err: unknown, config: Config, variable = 'PORT'): unknown {
  const code = (err as { code?: string } | null)?.code;
  if (code === 'EADDRINUSE')
    return new StartupError(variable, `${config.PORT} is already in use on ${config.HOST}`, err);
  if (code === 'EACCES')
    return new StartupError(variable, `${config.PORT} needs privileges this process lacks`, err);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new StartupError(
      'HOST',
      `${JSON.stringify(config.HOST)} is not an address of this machine`,
      err,
    );
  return err;
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
  const mongoUri = mongoUriOf(config);
  const database = mongoUri ? redactMongoUri(mongoUri) : config.DATABASE_PATH;
  logger.info({ url: running.url, database }, 'Latchkey is listening');
  const setupLink = await running.latchkey.adminSetupLinkIfNone(running.url);
  const sqlitePath = mongoUri ? null : config.DATABASE_PATH;
  // The link is a one-time secret: never in the log, which stdout may be feeding.
  if (setupLink)
    announceSetupLink(setupLink, {
      isTTY: process.stdout.isTTY === true,
      write: (text) => process.stdout.write(text),
      logger,
      databasePath: sqlitePath,
    });
  else removeStaleSetupLink(sqlitePath);
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
