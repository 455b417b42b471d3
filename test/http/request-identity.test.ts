import { IncomingMessage } from 'node:http';
import express, { type Request, type Response } from 'express';
import request from 'supertest';
import type { ApiKeyIdentity } from '../../src/core/identity';
import { makeLatchkey } from '../support/harness';

const generic = (apiKeyId: string): ApiKeyIdentity => ({ kind: 'generic', apiKeyId, metadata: {} });

describe('req.apiKey', () => {
  it('is what requireApiKey() found, and Node’s request prototype is left alone', async () => {
    const lk = await makeLatchkey();
    try {
      const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
      const app = express();
      app.get('/', lk.requireApiKey(), (req: Request, res: Response) => {
        res.json({ apiKeyId: req.apiKey?.apiKeyId });
      });
      const res = await request(app).get('/').set('Authorization', `Bearer ${apiKeyToken}`);
      expect(res.body).toEqual({ apiKeyId });
      expect(Object.getOwnPropertyDescriptor(IncomingMessage.prototype, 'apiKey')).toBeUndefined();
      expect(Symbol.for('latchkey.requestIdentities') in IncomingMessage.prototype).toBe(false);
      expect('apiKey' in new IncomingMessage(null as never)).toBe(false);
    } finally {
      await lk.close();
    }
  });

  it('is absent when optionalApiKey() let a request without a key through', async () => {
    const lk = await makeLatchkey();
    try {
      const app = express();
      app.get('/', lk.optionalApiKey(), (req: Request, res: Response) => {
        res.json({ apiKey: req.apiKey ?? null });
      });
      expect((await request(app).get('/')).body).toEqual({ apiKey: null });
    } finally {
      await lk.close();
    }
  });

  it('reads and writes like a plain property, one value per request', async () => {
    const app = express();
    app.get('/:id', (req: Request, res: Response) => {
      const before = req.apiKey;
      req.apiKey = generic(String(req.params.id));
      // Let the other requests set theirs before this one reads its own back.
      setTimeout(() => {
        const mine = req.apiKey?.apiKeyId;
        req.apiKey = undefined;
        res.json({ before: before ?? null, mine, cleared: req.apiKey ?? null });
      }, 20);
    });
    const answers = await Promise.all(['a', 'b', 'c'].map((id) => request(app).get(`/${id}`)));
    expect(answers.map((r) => r.body)).toEqual(
      ['a', 'b', 'c'].map((id) => ({ before: null, mine: id, cleared: null })),
    );
  });
});
