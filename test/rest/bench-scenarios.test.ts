import express from 'express';
import request from 'supertest';
import { bareJsonRoute, bareNodeJsonRoute, restScenarios, restValidate } from '../../bench/rest';
import { createBackendApi } from '../../src/http/rest/router';
import { BACKEND_API_PREFIX } from '../../src/http/rest/routes';
import { closeServer, listen } from '../client/support';
import { makeLatchkey } from '../support/harness';
import { sendBenchRequest } from './support';

describe('REST bench scenarios', () => {
  it('each mounts a route that answers its expected status', async () => {
    const latchkey = await makeLatchkey();
    const user = await latchkey.createUser({ email: 'bench@example.com' });
    const { apiKeyToken: token } = await latchkey.createApiKey({ userId: user.id });
    // As in the bench server: the backend API on an app of its own, each scenario on another.
    const backendApp = express();
    backendApp.use(BACKEND_API_PREFIX, createBackendApi(latchkey));
    const { server, url } = await listen(backendApp);
    const { token: integrationKey } = await latchkey.createIntegrationKey('bench');
    const fixture = { backendApi: { origin: url, integrationKey }, latchkey, token };
    try {
      for (const scenario of [bareJsonRoute, bareNodeJsonRoute, ...restScenarios]) {
        const { res, expected } = await sendBenchRequest(scenario, fixture);
        expect({ scenario: scenario.name, status: res.status }).toEqual({
          scenario: scenario.name,
          status: expected,
        });
      }
    } finally {
      await closeServer(server);
      await latchkey.close();
    }
  });

  it('compares REST validate with a bare JSON route that parses the same body', async () => {
    const latchkey = await makeLatchkey();
    const user = await latchkey.createUser({ email: 'bench@example.com' });
    const { apiKeyToken: token } = await latchkey.createApiKey({ userId: user.id });
    const backendApi = { origin: 'http://127.0.0.1:1', integrationKey: 'unused' };
    const fixture = { backendApi, latchkey, token };
    try {
      expect(restValidate.baseline).toBe(bareJsonRoute);
      const app = express();
      const baseline = await bareJsonRoute.mount(app, fixture);
      const scenario = await restValidate.mount(express(), fixture);
      expect(baseline.method).toBe('POST');
      expect(baseline.body).toBe(scenario.body);
      expect(baseline.headers?.['Content-Type']).toBe('application/json');
      // It really parses the body: malformed JSON is refused by express.json().
      const malformed = await request(app)
        .post(baseline.path)
        .set('Content-Type', 'application/json')
        .send('{"api_key_token":');
      expect(malformed.status).toBe(400);
    } finally {
      await latchkey.close();
    }
  });
});
