import express from 'express';
import helmet from 'helmet';
import type { Config } from './config';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { buildOpenApiDocument } from './http/openapi';
import { createBackendApi } from './http/rest/router';
import { BACKEND_API_PREFIX } from './http/rest/routes';
import type { Latchkey } from './latchkey';
import { createHostedPages } from './http/pages/hosted-pages';
import { createAdminPages } from './http/admin/admin-pages';
import { sessionSecret } from './http/pages/session';
import { readinessHandler, type Lifecycle } from './http/readiness';
import { metricsHandler } from './metrics/endpoint';
import {
  createSecretScanningEndpoint,
  publicKeySource,
  SECRET_SCANNING_PATH,
} from './http/secret-scanning';

type PageConfig = Pick<
  Config,
  | 'SESSION_SECRET'
  | 'SESSION_IDLE_MINUTES'
  | 'SESSION_ABSOLUTE_HOURS'
  | 'PAGES_BASE_PATH'
  | 'SIGNUP_LIMIT_PER_HOUR'
>;
type MetricsConfig = Pick<Config, 'METRICS_ENABLED' | 'METRICS_TOKEN' | 'METRICS_PORT'>;
type ScanningConfig = Pick<Config, 'SECRET_SCANNING_KEYS_FILE' | 'SECRET_SCANNING_KEYS_URL'>;

/** The standalone server's Express app: wiring only. */
export function createApp(
  latchkey: Latchkey,
  config: Pick<Config, 'TRUST_PROXY' | 'BODY_LIMIT'> &
    Partial<PageConfig> &
    Partial<MetricsConfig> &
    Partial<ScanningConfig>,
  lifecycle: Lifecycle = { draining: false },
) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  const metrics = config.METRICS_ENABLED ? latchkey.metrics() : null;
  if (metrics) app.use(metrics.httpMiddleware());
  app.use(helmet());
  // The backend API parses its own bodies, after checking the integration key.
  app.use(BACKEND_API_PREFIX, createBackendApi(latchkey, { bodyLimit: config.BODY_LIMIT }));
  // Signed over its raw body, so it reads the body itself.
  if (config.SECRET_SCANNING_KEYS_FILE || config.SECRET_SCANNING_KEYS_URL) {
    const keys = publicKeySource({
      file: config.SECRET_SCANNING_KEYS_FILE,
      url: config.SECRET_SCANNING_KEYS_URL,
    });
    app.post(
      SECRET_SCANNING_PATH,
      ...createSecretScanningEndpoint(latchkey, { keys, bodyLimit: config.BODY_LIMIT }),
    );
  }
  app.use(express.json({ limit: config.BODY_LIMIT }));

  let openApi: ReturnType<typeof buildOpenApiDocument> | undefined;
  app.get('/api/openapi.json', (_req, res) => {
    res.json((openApi ??= buildOpenApiDocument()));
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readinessHandler(latchkey, lifecycle));
  // With METRICS_PORT, server.ts serves them on the loopback address instead.
  if (metrics && config.METRICS_PORT === undefined)
    app.get('/metrics', metricsHandler(metrics.registry, config.METRICS_TOKEN));

  // The announcement's example: who does this API key belong to?
  app.post('/api/whoami', latchkey.requireApiKey(), (req, res) => {
    res.json(req.apiKey);
  });

  // One secret for both page areas, so a missing SESSION_SECRET is reported once.
  const secret = sessionSecret(config.SESSION_SECRET, latchkey.logger);
  app.use(
    '/admin',
    createAdminPages(latchkey, {
      session: {
        secret,
        idleMinutes: config.SESSION_IDLE_MINUTES,
        absoluteHours: config.SESSION_ABSOLUTE_HOURS,
      },
      pagesBasePath: config.PAGES_BASE_PATH,
    }),
  );

  // Hosted key pages last: they answer only their own paths and pass the rest on.
  app.use(
    config.PAGES_BASE_PATH ?? '/',
    createHostedPages(latchkey, {
      session: {
        secret,
        idleMinutes: config.SESSION_IDLE_MINUTES,
        absoluteHours: config.SESSION_ABSOLUTE_HOURS,
      },
      signupLimitPerHour: config.SIGNUP_LIMIT_PER_HOUR,
    }),
  );

  app.use(notFoundHandler(config.PAGES_BASE_PATH ?? '/'));
  app.use(errorHandler(latchkey.logger));
  return app;
}
