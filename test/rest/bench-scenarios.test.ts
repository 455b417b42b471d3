import express from 'express';
import request from 'supertest';
import { restScenarios } from '../../bench/rest';
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
      for (const scenario of restScenarios) {
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
});
