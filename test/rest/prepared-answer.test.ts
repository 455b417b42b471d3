import express from 'express';
import request from 'supertest';
import { createBackendApi } from '../../src/http/rest/router';
import { BACKEND_API_PREFIX } from '../../src/http/rest/routes';
import { makeLatchkey } from '../support/harness';

type EtagFn = (body: Buffer) => string | undefined;

async function validateOn(app: express.Express) {
  const latchkey = await makeLatchkey();
  const { token } = await latchkey.createIntegrationKey('svc');
  const { apiKeyToken } = await latchkey.createApiKey({ metadata: { plan: 'pro' } });
  app.use(BACKEND_API_PREFIX, createBackendApi(latchkey));
  const call = () =>
    request(app)
      .post(`${BACKEND_API_PREFIX}/end_user_api_keys/validate`)
      .set('Authorization', `Bearer ${token}`)
      .send({ api_key_token: apiKeyToken });
  return { latchkey, call };
}

describe('a prepared validation answer', () => {
  it('carries the headers res.json would: JSON content type, length and the app ETag of its bytes', async () => {
    const app = express();
    const { latchkey, call } = await validateOn(app);
    for (let i = 0; i < 2; i++) {
      const res = await call();
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.text).toBe(JSON.stringify(res.body));
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
      const etagOf = app.get('etag fn') as EtagFn;
      expect(res.headers.etag).toBe(etagOf(Buffer.from(res.text)));
    }
    await latchkey.close();
  });

  it('follows the app when it turns ETags off', async () => {
    const app = express();
    app.set('etag', false);
    const { latchkey, call } = await validateOn(app);
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBeUndefined();
    await latchkey.close();
  });
});
