import { openBenchLatchkey } from './fixture';
import type { Scenario } from './scenario';
import { sameHandler } from './scenario';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const BENCH_SCOPES = [
  { name: 'projects:read', description: 'Read projects' },
  { name: 'projects:write', description: 'Change projects' },
  { name: 'billing:read', description: 'Read invoices' },
];

/** Keys with scopes and IP allowlists, against the bare route: what the checks cost. */
export const policyScenarios: Scenario[] = [
  {
    name: 'requireApiKey, scoped key',
    minRatio: 0.95,
    async mount(app, f) {
      // A Latchkey that declares scopes, on the same database file, warm cache.
      const scoped = await openBenchLatchkey(f.databasePath, { scopes: BENCH_SCOPES });
      const key = await scoped.createApiKey({
        userId: f.userId,
        displayName: 'bench, scoped',
        scopes: ['projects:read', 'projects:write'],
      });
      app.get('/scoped', scoped.requireApiKey({ scopes: ['projects:read'] }), sameHandler);
      return { path: '/scoped', headers: bearer(key.apiKeyToken), expectStatus: 200 };
    },
  },
  {
    name: 'requireApiKey, allowlisted key',
    minRatio: 0.9,
    async mount(app, f) {
      const key = await f.latchkey.createApiKey({
        userId: f.userId,
        displayName: 'bench, allowlisted',
        allowedIps: ['10.0.0.0/8', '192.168.0.0/16', '127.0.0.1', '::1'],
      });
      app.get('/allowlisted', f.latchkey.requireApiKey(), sameHandler);
      return { path: '/allowlisted', headers: bearer(key.apiKeyToken), expectStatus: 200 };
    },
  },
];
