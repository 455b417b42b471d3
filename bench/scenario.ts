import type { RequestListener } from 'node:http';
import type { Express, RequestHandler } from 'express';
import type { Latchkey } from '../src/latchkey';
import type { LatchkeyMetrics } from '../src/metrics/types';

/**
 * One HTTP scenario of `npm run bench`. `mount` runs inside the server process:
 * it adds its route(s) to an app of its own (every scenario and baseline is served by
 * its own app on its own port, so none pays for matching another's routes first) and
 * says which request autocannon should send.
 * The orchestrator alternates it with runs of its baseline and reports its
 * throughput as a ratio to theirs.
 */
export interface Scenario {
  /** Shown in the results table; also the --only filter. */
  name: string;
  /** Lowest acceptable ratio to the baseline; omit to report without a target. */
  minRatio?: number;
  /**
   * What this scenario is compared with: a route doing the same HTTP work with nothing
   * of Latchkey's. The bare GET route when omitted.
   */
  baseline?: Scenario;
  mount(app: Express, fixture: BenchFixture): Promise<BenchRequest> | BenchRequest;
}

/** What autocannon sends for a scenario; every response must have `expectStatus`. */
export interface BenchRequest {
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  expectStatus: number;
  /**
   * Serve this instead of the app `mount` was given: for routes that answer on plain
   * node:http (the bare node:http route, the standalone server's request listener).
   */
  handler?: RequestListener;
}

/** The seeded world every scenario can use, built once per server process. */
export interface BenchFixture {
  /** The backend REST API, served by its own app in the bench server (for the remote client). */
  backendApi: { origin: string; integrationKey: string };
  /** A temp dir removed when the server stops. */
  tempDir: string;
  databasePath: string;
  /** Default options: validation cache on. */
  latchkey: Latchkey;
  /** `cache: false`: every validation reads the store. Same database file. */
  latchkeyUncached: Latchkey;
  /** `consistency: 'strict'`, cache on: one revision read per validation. Same database file. */
  latchkeyStrict: Latchkey;
  /**
   * Default options with Prometheus metrics attached (`latchkey.metrics()`), apart from
   * `latchkey` so no other scenario pays for them. Same database file.
   */
  latchkeyWithMetrics: { latchkey: Latchkey; metrics: LatchkeyMetrics };
  /** Registers what a scenario opened (a server, a client) to be closed when the bench stops. */
  onStop(close: () => void): void;
  /** A valid personal key of `userId`, who is a member of `orgId`. */
  token: string;
  userId: string;
  orgId: string;
}

/** The handler every route shares, so scenarios differ only in what runs before it. */
export const sameHandler: RequestHandler = (_req, res) => {
  res.json({ ok: true });
};

/** The same token with its last checksum character changed: fails before any store read. */
export function withBadChecksum(token: string): string {
  const last = token.slice(-1);
  return token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}
