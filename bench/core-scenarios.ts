import type { Scenario } from './scenario';
import { sameHandler, withBadChecksum } from './scenario';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The baseline: no middleware, but the same Authorization header as the others. */
export const bareRoute: Scenario = {
  name: 'bare route',
  mount(app, f) {
    app.get('/bare', sameHandler);
    return { path: '/bare', headers: bearer(f.token), expectStatus: 200 };
  },
};

/** requireApiKey of a default Latchkey, the key cached: also the baseline of metrics' cost. */
const warm: Scenario = {
  name: 'requireApiKey, bounded, warm',
  minRatio: 0.95,
  mount(app, f) {
    app.get('/cached', f.latchkey.requireApiKey(), sameHandler);
    return { path: '/cached', headers: bearer(f.token), expectStatus: 200 };
  },
};

export const coreScenarios: Scenario[] = [
  warm,
  {
    name: 'requireApiKey, strict, warm',
    minRatio: 0.9,
    mount(app, f) {
      app.get('/strict', f.latchkeyStrict.requireApiKey(), sameHandler);
      return { path: '/strict', headers: bearer(f.token), expectStatus: 200 };
    },
  },
  {
    name: 'requireApiKey, cache off',
    minRatio: 0.75,
    mount(app, f) {
      app.get('/uncached', f.latchkeyUncached.requireApiKey(), sameHandler);
      return { path: '/uncached', headers: bearer(f.token), expectStatus: 200 };
    },
  },
  {
    name: 'requireApiKey, bad checksum',
    minRatio: 0.95,
    mount(app, f) {
      app.get('/invalid', f.latchkey.requireApiKey(), sameHandler);
      return { path: '/invalid', headers: bearer(withBadChecksum(f.token)), expectStatus: 401 };
    },
  },
  {
    name: 'requireApiKey, rate limit on',
    minRatio: 0.9,
    async mount(app, f) {
      // A key with its own allowance (never reached here), so every request is counted.
      const limited = await f.latchkey.createApiKey({
        userId: f.userId,
        displayName: 'bench, rate limited',
        rateLimit: { limit: 1_000_000_000, periodSeconds: 60 },
      });
      app.get('/rate-limited', f.latchkey.requireApiKey(), sameHandler);
      return { path: '/rate-limited', headers: bearer(limited.apiKeyToken), expectStatus: 200 };
    },
  },
  {
    // The control for the two below: the warm route against a second copy of itself. What it
    // reads apart from 1.000 is the spread of a side-by-side comparison on this machine.
    name: 'metrics off: warm, against warm (control)',
    baseline: warm,
    mount(app, f) {
      app.get('/cached-again', f.latchkey.requireApiKey(), sameHandler);
      return { path: '/cached-again', headers: bearer(f.token), expectStatus: 200 };
    },
  },
  {
    // What counting costs a validation: the same warm route with metrics() attached, side
    // by side with the warm route itself. A drop of 0.02 in the warm ratio is 0.98 here.
    name: 'metrics on: verdicts counted, against warm',
    minRatio: 0.98,
    baseline: warm,
    mount(app, f) {
      app.get('/metrics-verdicts', f.latchkeyWithMetrics.latchkey.requireApiKey(), sameHandler);
      return { path: '/metrics-verdicts', headers: bearer(f.token), expectStatus: 200 };
    },
  },
  {
    name: 'metrics on: verdicts and HTTP requests counted, against warm',
    baseline: warm,
    mount(app, f) {
      // As the standalone server counts: every request by route, every verdict by outcome.
      const { latchkey, metrics } = f.latchkeyWithMetrics;
      app.use(metrics.httpMiddleware());
      app.get('/metrics-on', latchkey.requireApiKey(), sameHandler);
      return { path: '/metrics-on', headers: bearer(f.token), expectStatus: 200 };
    },
  },
  {
    name: 'requireApiKey, quota key',
    minRatio: 0.8,
    async mount(app, f) {
      // A quota never reached here: each request spends a use, one store write per lease.
      const quota = await f.latchkey.createApiKey({
        userId: f.userId,
        displayName: 'bench, quota',
        remaining: 1_000_000_000,
      });
      app.get('/quota', f.latchkey.requireApiKey(), sameHandler);
      return { path: '/quota', headers: bearer(quota.apiKeyToken), expectStatus: 200 };
    },
  },
];
