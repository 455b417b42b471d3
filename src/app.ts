import type { RequestListener } from 'node:http';
import express from 'express';
import helmet from 'helmet';
import type { Config } from './config';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { buildOpenApiDocument } from './http/openapi';
import type { EtagFunction } from './http/rest/endpoint';
import { createLeanValidate, headersSetBy } from './http/rest/lean-validate';
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

type WarningConfig = Pick<Config, 'TRUST_PROXY'> &
  Partial<MetricsConfig & Pick<Config, 'HOST' | 'SESSION_SECRET'>>;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** What in this configuration an operator should know about; the dashboard's health page lists it. */
export function startupWarnings(config: WarningConfig): string[] {
  const warnings: string[] = [];
  if (config.TRUST_PROXY === true)
    warnings.push(
      'TRUST_PROXY=true: client addresses come from X-Forwarded-For. Unless every request passes a proxy that sets it, clients can forge their address (rate limits, the audit log).',
    );
  if (
    config.METRICS_ENABLED &&
    config.METRICS_TOKEN === undefined &&
    config.METRICS_PORT === undefined &&
    !LOOPBACK.has(config.HOST ?? '')
  )
    warnings.push(
      '/metrics is open to anyone who reaches this server: set METRICS_TOKEN, or METRICS_PORT to serve it on the loopback address only.',
    );
  if (!config.SESSION_SECRET)
    warnings.push(
      'SESSION_SECRET is not set: a random one is used, so sign-ins end at every restart.',
    );
  return warnings;
}

type AppConfig = Pick<Config, 'TRUST_PROXY' | 'BODY_LIMIT'> &
  Partial<PageConfig & MetricsConfig & ScanningConfig & Pick<Config, 'HOST'>>;

/** The security headers every answer carries (the lean validation routes set the same). */
const securityHeaders = () => helmet();

/**
 * What the standalone server listens with: the backend API's validation routes on plain
 * node:http (http/rest/lean-validate.ts), everything else through the Express app.
 */
export function createRequestListener(
  latchkey: Latchkey,
  config: AppConfig,
  lifecycle: Lifecycle = { draining: false },
): RequestListener {
  const app = createApp(latchkey, config, lifecycle);
  const lean = createLeanValidate(latchkey, {
    bodyLimit: config.BODY_LIMIT,
    headers: headersSetBy(securityHeaders()),
    etag: app.get('etag fn') as EtagFunction | undefined,
    logger: latchkey.logger,
  });
  return (req, res) => {
    if (!lean(req, res)) app(req, res);
  };
}

/** The standalone server's Express app: wiring only. */
export function createApp(
  latchkey: Latchkey,
  config: AppConfig,
  lifecycle: Lifecycle = { draining: false },
) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  const metrics = config.METRICS_ENABLED ? latchkey.metrics() : null;
  if (metrics) app.use(metrics.httpMiddleware());
  app.use(securityHeaders());
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
      warnings: startupWarnings(config),
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
