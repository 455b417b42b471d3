import express from 'express';
import request from 'supertest';
import { bareJsonRoute, restScenarios, restValidate } from '../../bench/rest';
import { closeServer, listen } from '../client/support';
import { makeLatchkey } from '../support/harness';

describe('REST bench scenarios', () => {
  it('each mounts a route that answers its expected status', async () => {
    const latchkey = await makeLatchkey();
    const user = await latchkey.createUser({ email: 'bench@example.com' });
    const { apiKeyToken: token } = await latchkey.createApiKey({ userId: user.id });
    const app = express();
    const { server, url } = await listen(app);
    try {
      for (const scenario of [bareJsonRoute, ...restScenarios]) {
        const req = await scenario.mount(app, { origin: url, latchkey, token });
        const agent = request(app);
        let call = (req.method === 'POST' ? agent.post(req.path) : agent.get(req.path)).set(
          req.headers ?? {},
        );
        if (req.body) call = call.send(req.body);
        const res = await call;
        expect({ scenario: scenario.name, status: res.status }).toEqual({
          scenario: scenario.name,
          status: req.expectStatus,
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
    const fixture = { origin: 'http://127.0.0.1:1', latchkey, token };
    try {
      expect(restValidate.baseline).toBe(bareJsonRoute);
      const app = express();
      const baseline = await bareJsonRoute.mount(app, fixture);
      const scenario = await restValidate.mount(app, fixture);
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
