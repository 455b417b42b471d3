import { IncomingMessage } from 'node:http';
import express, { type Request, type Response } from 'express';
import request from 'supertest';
import type { ApiKeyIdentity } from '../../src/core/identity';
import { setRequestIdentity } from '../../src/http/request-identity';
import { makeLatchkey } from '../support/harness';

const generic = (apiKeyId: string): ApiKeyIdentity => ({ kind: 'generic', apiKeyId, metadata: {} });

describe('req.apiKey', () => {
  it('is what requireApiKey() found, without adding an own property to the request', async () => {
    const lk = await makeLatchkey();
    try {
      const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
      const app = express();
      app.get('/', lk.requireApiKey(), (req: Request, res: Response) => {
        res.json({
          apiKeyId: req.apiKey?.apiKeyId,
          own: Object.prototype.hasOwnProperty.call(req, 'apiKey'),
          listed: Object.keys(req).includes('apiKey'),
        });
      });
      const res = await request(app).get('/').set('Authorization', `Bearer ${apiKeyToken}`);
      expect(res.body).toEqual({ apiKeyId, own: false, listed: false });
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

  it('is shared by every copy of the module in the process', () => {
    let copy: typeof import('../../src/http/request-identity') | undefined;
    jest.isolateModules(() => {
      copy = jest.requireActual<typeof import('../../src/http/request-identity')>(
        '../../src/http/request-identity',
      );
    });
    expect(copy).toBeDefined();
    expect(copy!.setRequestIdentity).not.toBe(setRequestIdentity);
    const req = new IncomingMessage(null as never) as Request;
    copy!.setRequestIdentity(req, generic('from-the-copy'));
    expect(req.apiKey?.apiKeyId).toBe('from-the-copy');
    setRequestIdentity(req, generic('from-this-one'));
    expect(req.apiKey?.apiKeyId).toBe('from-this-one');
  });

  it('is a plain property on a request object that is not Node’s', () => {
    const req = {} as Request;
    setRequestIdentity(req, generic('double'));
    expect(Object.prototype.hasOwnProperty.call(req, 'apiKey')).toBe(true);
    expect(req.apiKey?.apiKeyId).toBe('double');
  });
});
