import type { Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ObservedKind, ValidationObserver, ValidationOutcome } from '../core/observer';
import { FAILURE_REASONS } from '../core/validation-result';
import type { LatchkeyMetrics, MetricsOptions } from './types';

/** What the gauges read at scrape time. */
export interface MetricSources {
  usagePendingEntries(): number;
  usageFlushLagSeconds(): number;
}

const OUTCOMES: ValidationOutcome[] = [
  'valid',
  ...(Object.keys(FAILURE_REASONS) as ValidationOutcome[]),
];
const KINDS: ObservedKind[] = ['personal', 'org', 'generic', 'any'];
/** In-process latency: a cached verdict takes microseconds, a store read milliseconds. */
const LATENCY_BUCKETS = [
  0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
  0.05, 0.1, 0.25, 1,
];

/**
 * Latchkey's Prometheus metrics: their definitions, the observer that counts into them and
 * the HTTP middleware. Every label comes from a fixed set.
 */
export function registerLatchkeyMetrics(
  options: MetricsOptions,
  sources: MetricSources,
): { metrics: LatchkeyMetrics; observer: ValidationObserver } {
  const registry = options.registry ?? new Registry();
  const p = options.prefix ?? 'latchkey_';
  if (options.defaultMetrics ?? options.registry === undefined)
    collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const validations = new Counter({
    name: `${p}validations_total`,
    help: 'API key validations by outcome (valid or the failure reason) and key kind (the kind asked for when invalid).',
    labelNames: ['outcome', 'kind'] as const,
    registers,
  });
  // prom-client hashes a label set on every labels() call; a request counts through a child
  // made once per label set instead (the sets are fixed), found without building a string.
  const validationChildren = new Map<string, Map<string, Counter.Internal>>(
    OUTCOMES.map((outcome) => [
      outcome,
      new Map(KINDS.map((kind) => [kind, validations.labels(outcome, kind)])),
    ]),
  );
  const latency = new Histogram({
    name: `${p}validation_duration_seconds`,
    help: 'Time a validation took in this process (store reads included, network excluded).',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  // The one (label-less) series, held once: observe() through it makes no closure per call.
  const latencyChild = latency.labels();
  const rateLimited = new Counter({
    name: `${p}rate_limit_refusals_total`,
    help: 'Validations refused by a key, user or org rate limit.',
    registers,
  });
  const brake = new Counter({
    name: `${p}invalid_key_brake_refusals_total`,
    help: 'Requests refused by the invalid-key brake before any store read.',
    registers,
  });
  const cacheHits = new Counter({
    name: `${p}cache_hits_total`,
    help: 'Validation lookups answered from the cache.',
    registers,
  });
  const cacheMisses = new Counter({
    name: `${p}cache_misses_total`,
    help: 'Validation lookups that read the store.',
    registers,
  });
  const cacheEvictions = new Counter({
    name: `${p}cache_evictions_total`,
    help: 'Cached lookups pushed out to make room.',
    registers,
  });
  const storeErrors = new Counter({
    name: `${p}store_errors_total`,
    help: 'Store operations that failed, by operation.',
    labelNames: ['operation'] as const,
    registers,
  });
  const signInFailures = new Counter({
    name: `${p}sign_in_failures_total`,
    help: 'Failed sign-ins, by area (hosted pages or dashboard).',
    labelNames: ['area'] as const,
    registers,
  });
  for (const area of ['pages', 'admin']) signInFailures.labels(area);
  new Gauge({
    name: `${p}usage_buffer_entries`,
    help: 'Key-day usage counts waiting in memory to be written.',
    registers,
    collect() {
      this.set(sources.usagePendingEntries());
    },
  });
  new Gauge({
    name: `${p}usage_flush_lag_seconds`,
    help: 'Seconds since usage counts were last written, while some wait (0 when none do).',
    registers,
    collect() {
      this.set(sources.usageFlushLagSeconds());
    },
  });
  const httpRequests = new Counter({
    name: `${p}http_requests_total`,
    help: 'HTTP requests by method, route template (never the raw URL) and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });

  const observer: ValidationObserver = {
    onValidation(outcome, kind, seconds) {
      (validationChildren.get(outcome)?.get(kind) ?? validations.labels(outcome, kind)).inc();
      latencyChild.observe(seconds);
      if (outcome === 'rate_limited') rateLimited.inc();
    },
    onCacheLookup: (hit) => (hit ? cacheHits : cacheMisses).inc(),
    onCacheEviction: () => cacheEvictions.inc(),
    onInvalidKeyBrake: () => brake.inc(),
    onStoreError: (operation) => storeErrors.labels(operation).inc(),
    onSignInFailure: (area) => signInFailures.labels(area).inc(),
  };
  const httpChildren = new Map<string, Counter.Internal>();
  const countRequest = (method: string, route: string, status: number) => {
    const key = `${method} ${status} ${route}`;
    let child = httpChildren.get(key);
    if (!child) {
      child = httpRequests.labels(method, route, String(status));
      httpChildren.set(key, child);
    }
    child.inc();
  };
  // One listener function for every response ('finish' fires once): no closure per request.
  function counted(this: Response): void {
    countRequest(methodOf(this.req), routeOf(this.req, this.statusCode), this.statusCode);
  }
  const httpMiddleware = (): RequestHandler => (_req, res, next) => {
    res.on('finish', counted);
    next();
  };
  return { metrics: { registry, httpMiddleware }, observer };
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const methodOf = (req: Request): string => (METHODS.has(req.method) ? req.method : 'OTHER');

/**
 * The route template that answered: the router's mount path (fixed strings here, lower-cased
 * as Express matches them case-insensitively) and the route's pattern. A request no route
 * answered is `unmatched` (404) or `other` (static files, errors before routing).
 */
export function routeOf(req: Request, status: number): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') {
    const base = req.baseUrl.toLowerCase();
    return `${base}${route.path === '/' && base ? '' : route.path}` || '/';
  }
  return status === 404 ? 'unmatched' : 'other';
}
