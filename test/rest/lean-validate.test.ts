import request from 'supertest';
import { API, makeBackend, SERVING } from './support';

/** What differs between two answers to the same request by nature: the clock. */
const comparable = (headers: Record<string, string>) => {
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...rest } = headers;
  return rest;
};

/**
 * The lean validation handler answers exactly as the Express routes do: status, body and
 * every header (security headers, ETag, content type), for passing, failing and mangled
 * requests alike; what it does not take falls through to Express.
 */
describe('the lean validation path answers as Express does', () => {
  const backends = async () => {
    const [express, lean] = await Promise.all(SERVING.map((s) => makeBackend({}, s)));
    const { apiKeyToken } = await express!.latchkey.createApiKey({});
    return { express: express!, lean: lean!, token: apiKeyToken };
  };

  type Send = (app: Awaited<ReturnType<typeof makeBackend>>, token: string) => request.Test;
  const cases: [string, Send][] = [
    ['an unknown key', (b) => b.api.post('/end_user_api_keys/validate', { api_key_token: 'lk_x' })],
    ['a missing field', (b) => b.api.post('/end_user_api_keys/validate', {})],
    [
      'an unknown field',
      (b) => b.api.post('/end_user_api_keys/validate', { api_key_token: 'a', b: 1 }),
    ],
    ['malformed JSON', (b) => raw(b, '{"api_key_token": ')],
    ['a JSON scalar', (b) => raw(b, '"lk_x"')],
    ['only whitespace', (b) => raw(b, '   ')],
    ['an empty body', (b) => raw(b, '')],
    ['a byte-order mark', (b) => raw(b, '\ufeff{"api_key_token": "lk_x"}')],
    [
      'a body over the limit',
      (b) => raw(b, JSON.stringify({ api_key_token: 'x'.repeat(200_000) })),
    ],
    ['charset=utf-8', (b) => raw(b, '{"api_key_token":"lk_x"}', 'application/json; charset=utf-8')],
    [
      'charset=latin1',
      (b) => raw(b, '{"api_key_token":"lk_x"}', 'application/json; charset=latin1'),
    ],
    ['text/plain', (b) => raw(b, '{"api_key_token":"lk_x"}', 'text/plain')],
    [
      'a query string',
      (b) =>
        request(b.app)
          .post(`${API}/end_user_api_keys/validate?x=1`)
          .set(b.auth)
          .send({ api_key_token: 'lk_x' }),
    ],
    [
      'no integration key',
      (b) =>
        request(b.app).post(`${API}/end_user_api_keys/validate`).send({ api_key_token: 'lk_x' }),
    ],
    ['HEAD', (b) => request(b.app).head(`${API}/end_user_api_keys/validate`).set(b.auth)],
    ['GET', (b) => request(b.app).get(`${API}/end_user_api_keys/validate`).set(b.auth)],
    [
      'an imported key unknown',
      (b) => b.api.post('/end_user_api_keys/validate_imported', { api_key_token: 'legacy-0001' }),
    ],
  ];

  function raw(
    b: Awaited<ReturnType<typeof makeBackend>>,
    body: string,
    type = 'application/json',
  ) {
    return request(b.app)
      .post(`${API}/end_user_api_keys/validate`)
      .set(b.auth)
      .set('Content-Type', type)
      .send(body);
  }

  it.each(cases)('%s', async (_label, send) => {
    const { express, lean, token } = await backends();
    const [a, b] = [await send(express, token), await send(lean, token)];
    expect({ status: b.status, body: b.text, headers: comparable(b.headers) }).toEqual({
      status: a.status,
      body: a.text,
      headers: comparable(a.headers),
    });
    await express.latchkey.close();
    await lean.latchkey.close();
  });

  it('a valid key: the same identity, bytes and headers', async () => {
    const express = await makeBackend({}, 'through Express');
    const lean = await makeBackend({}, 'lean path');
    // One store for both would need one file; the answers are compared with ids set aside.
    const answers = [];
    for (const b of [express, lean]) {
      const { apiKeyToken } = await b.latchkey.createApiKey({ metadata: { team: 'ops' } });
      const res = await b.api.post('/end_user_api_keys/validate', { api_key_token: apiKeyToken });
      answers.push({
        status: res.status,
        keys: Object.keys(res.body as object),
        headers: Object.keys(comparable(res.headers)).sort(),
      });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]!.headers).toEqual(
      expect.arrayContaining(['etag', 'content-security-policy', 'x-content-type-options']),
    );
    await express.latchkey.close();
    await lean.latchkey.close();
  });
});
