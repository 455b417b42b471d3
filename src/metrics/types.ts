import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';

/** Where and how latchkey.metrics() registers. */
export interface MetricsOptions {
  /** The host's registry; a new one when omitted. */
  registry?: Registry;
  /** Also collect prom-client's default process metrics (default: only in a new registry). */
  defaultMetrics?: boolean;
  /** Prefix of every metric name (default `latchkey_`). */
  prefix?: string;
}

/** Latchkey's metrics in one registry. */
export interface LatchkeyMetrics {
  readonly registry: Registry;
  /**
   * Express middleware counting requests by route template (never the raw URL) and status;
   * mount it before the routes it should count.
   */
  httpMiddleware(): RequestHandler;
}
