import fs from 'node:fs';
import express from 'express';
import request from 'supertest';
import * as benchFixture from '../../bench/fixture';
import { makeTempDatabase, openBenchLatchkey, seedCaller } from '../../bench/fixture';
import { policyScenarios } from '../../bench/policy-scenarios';
import type { BenchFixture } from '../../bench/scenario';

describe('scope and allowlist bench scenarios', () => {
  it('each mounts a route that answers its expected status', async () => {
    const { tempDir, databasePath } = makeTempDatabase();
    const latchkey = await openBenchLatchkey(databasePath);
    const caller = await seedCaller(latchkey);
    const fixture = { latchkey, databasePath, tempDir, ...caller } as unknown as BenchFixture;
    // Latchkeys a scenario opens for itself live as long as the bench server; here, the test.
    const opened = jest.spyOn(benchFixture, 'openBenchLatchkey');
    try {
      for (const scenario of policyScenarios) {
        const app = express();
        const req = await scenario.mount(app, fixture);
        const res = await request(app)
          .get(req.path)
          .set(req.headers ?? {});
        expect({ scenario: scenario.name, status: res.status }).toEqual({
          scenario: scenario.name,
          status: req.expectStatus,
        });
      }
    } finally {
      for (const result of opened.mock.results) await (await result.value).close();
      opened.mockRestore();
      await latchkey.close();
      fs.rmSync(tempDir, { recursive: true, force: true });
    }
  });
});
