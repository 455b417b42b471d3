import express, { type NextFunction, type Request, type Response } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { generateToken } from '../../src/core/token';
import { errorHandler } from '../../src/http/error-handler';
import { makeLatchkey } from '../support/harness';
import { close, listen, rawRequest, requestWithHeaders } from '../support/raw-http';
import { createSqliteStore } from '../../src/store/sqlite';
import { aWorld, failValidationReads, withoutSyncReads } from '../support/world';

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

function appFor(lk: Lk) {
  const app = express();
  const echo = (req: Request, res: Response) => res.json({ apiKey: req.apiKey ?? null });
  app.post('/any', lk.requireApiKey(), echo);
  app.post('/personal', lk.requireApiKey({ kind: 'personal' }), echo);
  app.post('/org', lk.requireApiKey({ kind: 'org' }), echo);
  app.post('/optional', lk.optionalApiKey(), echo);
  app.post('/imported', lk.requireApiKey({ allowImported: true }), echo);
  app.use(errorHandler(lk.logger));
  return app;
}

const INVALID_CHALLENGE =
  'Bearer realm="latchkey", error="invalid_token", error_description="The API key is not valid."';

let lk: Lk;
let app: express.Express;
beforeEach(async () => {
  lk = await makeLatchkey();
  app = appFor(lk);
});
afterEach(async () => {
  jest.restoreAllMocks();
  await lk.close();
});

describe('reading the key', () => {
  it('accepts "Authorization: Bearer <token>" and sets req.apiKey', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({ userId: user.id });
    const res = await request(app).post('/any').set('Authorization', `Bearer ${apiKeyToken}`);
    expect(res.status).toBe(200);
    expect(res.body.apiKey).toMatchObject({
      kind: 'personal',
      apiKeyId,
      user: { userId: user.id },
    });
  });

  it('accepts the raw "Authorization: <token>" the seed shows', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    const res = await request(app).post('/any').set('Authorization', apiKeyToken);
    expect(res.status).toBe(200);
    expect(res.body.apiKey.kind).toBe('generic');
  });

  it('accepts any case of "bearer" and extra spaces', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    for (const header of [`bearer ${apiKeyToken}`, `BEARER    ${apiKeyToken}   `]) {
      expect((await request(app).post('/any').set('Authorization', header)).status).toBe(200);
    }
  });
});

describe('refusing', () => {
  it('answers a missing header with 401 JSON and a bare RFC 6750 challenge', async () => {
    const res = await request(app).post('/any');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="latchkey"');
    expect(res.body).toEqual({ error: 'missing_api_key', message: 'An API key is required.' });
  });

  it('answers every invalid key with the same 401, so callers cannot probe which keys exist', async () => {
    const { user } = await aWorld(lk);
    const archived = await lk.createApiKey({});
    await lk.archiveApiKey(archived.apiKeyId);
    const disabledUsers = await lk.createApiKey({ userId: user.id });
    await lk.disableUser(user.id);
    const typo = generateToken('lk').slice(0, -1) + '0';
    const bodies = new Set<string>();
    for (const token of [
      generateToken('lk'),
      typo,
      'not a key',
      archived.apiKeyToken,
      disabledUsers.apiKeyToken,
    ]) {
      const res = await request(app).post('/any').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_CHALLENGE);
      bodies.add(JSON.stringify(res.body));
    }
    expect([...bodies]).toEqual([
      JSON.stringify({ error: 'invalid_api_key', message: 'The API key is not valid.' }),
    ]);
  });

  it('says "expired" for an expired key', async () => {
    const now = Date.now();
    const { apiKeyToken } = await lk.createApiKey({ expiresAt: Math.floor(now / 1000) + 60 });
    jest.spyOn(Date, 'now').mockReturnValue(now + 120_000);
    const res = await request(app).post('/any').set('Authorization', `Bearer ${apiKeyToken}`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_api_key', message: 'The API key has expired.' });
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="latchkey", error="invalid_token", error_description="The API key has expired."',
    );
  });

  it('answers a valid key of the wrong kind with 403', async () => {
    const { user, org } = await aWorld(lk);
    const personal = await lk.createApiKey({ userId: user.id });
    const orgKey = await lk.createApiKey({ orgId: org.id });
    const generic = await lk.createApiKey({});
    const auth = (t: string) => ['Authorization', `Bearer ${t}`] as const;
    expect(
      (
        await request(app)
          .post('/personal')
          .set(...auth(personal.apiKeyToken))
      ).status,
    ).toBe(200);
    expect(
      (
        await request(app)
          .post('/org')
          .set(...auth(orgKey.apiKeyToken))
      ).status,
    ).toBe(200);
    for (const [path, token] of [
      ['/personal', orgKey.apiKeyToken],
      ['/personal', generic.apiKeyToken],
      ['/org', personal.apiKeyToken],
    ] as const) {
      const res = await request(app)
        .post(path)
        .set(...auth(token));
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'wrong_key_kind', message: expect.any(String) });
      expect(res.headers['www-authenticate']).toBe(
        `Bearer realm="latchkey", error="insufficient_scope", error_description="${res.body.message}"`,
      );
    }
  });

  it('answers 503, never 500 and never a pass, when the store fails', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    failValidationReads(lk.store, new Error('database is locked'));
    const res = await request(app).post('/any').set('Authorization', `Bearer ${apiKeyToken}`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).toEqual({ error: 'unavailable', message: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toContain('database is locked');
  });

  it('answers 503 when the store throws synchronously too', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    jest.spyOn(lk.store, 'findKeyForValidationSync').mockImplementation(() => {
      throw new Error('boom');
    });
    const res = await request(app).post('/any').set('Authorization', apiKeyToken);
    expect(res.status).toBe(503);
  });

  it('answers 503 when a store that waits on I/O throws instead of rejecting', async () => {
    const ioLk = await makeLatchkey({ store: withoutSyncReads(createSqliteStore(':memory:')) });
    try {
      const { apiKeyToken } = await ioLk.createApiKey({});
      jest.spyOn(ioLk.store, 'findKeyForValidation').mockImplementation(() => {
        throw new Error('boom');
      });
      const res = await request(appFor(ioLk)).post('/any').set('Authorization', apiKeyToken);
      expect(res.status).toBe(503);
    } finally {
      await ioLk.close();
    }
  });
});

describe('optionalApiKey', () => {
  it('lets a request without a key through without req.apiKey', async () => {
    const res = await request(app).post('/optional');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ apiKey: null });
  });

  it('sets req.apiKey for a valid key', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
    const res = await request(app).post('/optional').set('Authorization', `Bearer ${apiKeyToken}`);
    expect(res.body.apiKey.apiKeyId).toBe(apiKeyId);
  });

  it('still refuses a key that is present but invalid', async () => {
    const res = await request(app).post('/optional').set('Authorization', 'Bearer nope');
    expect(res.status).toBe(401);
  });
});

describe('imported keys', () => {
  it('pass only where allowImported is set', async () => {
    const legacy = 'sk_live_legacy_token_0001';
    await lk.importApiKey({ token: legacy });
    expect((await request(app).post('/any').set('Authorization', `Bearer ${legacy}`)).status).toBe(
      401,
    );
    expect(
      (await request(app).post('/imported').set('Authorization', `Bearer ${legacy}`)).status,
    ).toBe(200);
  });

  it('pass where allowImported is set even when shaped like a native token', async () => {
    // e.g. keys moved over from another Latchkey installation
    const moved = generateToken('lk');
    await lk.importApiKey({ token: moved });
    expect(
      (await request(app).post('/imported').set('Authorization', `Bearer ${moved}`)).status,
    ).toBe(200);
  });
});

describe('any header a client can send', () => {
  it('never gets anything but a 401 from the middleware (property)', async () => {
    // Called directly so no HTTP client or parser filters the value first.
    const middleware = lk.requireApiKey();
    const { apiKeyToken } = await lk.createApiKey({});
    const header = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 600 }),
      fc.string({ unit: 'grapheme', maxLength: 50 }).map((s) => `Bearer ${s}`),
      fc.constantFrom('', ' ', 'Bearer', 'Bearer ', `Bearer  ${' '.repeat(500)}`, '\u0000', '\r\n'),
      fc.nat({ max: 100_000 }).map((n) => 'x'.repeat(n)),
      fc.string({ unit: 'binary', maxLength: 5 }).map((s) => `${apiKeyToken}${s}x`),
      fc.string({ unit: 'binary', maxLength: 5 }).map((s) => `${s}\u00a0${apiKeyToken.slice(1)}`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (value) => {
        const outcome = await runMiddleware(middleware, value);
        expect(outcome).toEqual({ status: 401, passed: false });
      }),
      { numRuns: 400 },
    );
  });

  it('through a real server, gets 401 or the HTTP parser’s own 4xx, never 500 (property)', async () => {
    const server = await listen(app);
    try {
      const bytes = fc.uint8Array({ maxLength: 300 }).map((b) =>
        // CR and LF would end the header line; they have their own test below.
        Buffer.from(b.filter((x) => x !== 0x0d && x !== 0x0a)),
      );
      await fc.assert(
        fc.asyncProperty(bytes, async (value) => {
          const status = await rawRequest(
            server,
            requestWithHeaders('/any', [Buffer.concat([Buffer.from('Authorization: '), value])]),
          );
          expect([400, 401]).toContain(status);
        }),
        { numRuns: 150 },
      );
    } finally {
      await close(server);
    }
  });

  it('through a real server: control characters, UTF-8, folding, Bearer alone, many spaces', async () => {
    const server = await listen(app);
    try {
      const cases: [string, (string | Buffer)[]][] = [
        ['empty', ['Authorization:']],
        ['only spaces', ['Authorization:        ']],
        ['Bearer alone', ['Authorization: Bearer']],
        ['Bearer and spaces', [`Authorization: Bearer${' '.repeat(4000)}`]],
        ['NUL', [Buffer.from('Authorization: Bearer \u0000abc', 'latin1')]],
        ['escape', [Buffer.from('Authorization: \u001b[31mred', 'latin1')]],
        ['DEL', [Buffer.from('Authorization: Bearer \u007f', 'latin1')]],
        ['UTF-8', [Buffer.from('Authorization: Bearer ключ🔑', 'utf8')]],
        ['latin-1', [Buffer.from('Authorization: Bearer clé', 'latin1')]],
        ['obsolete line folding', ['Authorization: Bearer', '  continued']],
        ['bare CR', [Buffer.from('Authorization: Bearer a\rb', 'latin1')]],
        ['no colon', ['Authorization Bearer abc']],
      ];
      for (const [name, lines] of cases) {
        const status = await rawRequest(server, requestWithHeaders('/any', lines));
        expect({ name, ok: status === 401 || status === 400 }).toEqual({ name, ok: true });
      }
    } finally {
      await close(server);
    }
  });

  it('through a real server: repeated Authorization headers are refused, even with a valid key first', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    const server = await listen(app);
    try {
      const valid = `Authorization: Bearer ${apiKeyToken}`;
      expect(await rawRequest(server, requestWithHeaders('/any', [valid]))).toBe(200);
      for (const lines of [
        [valid, 'Authorization: Bearer other'],
        ['Authorization: Bearer other', valid],
        [valid, valid],
        [valid, 'authorization: '],
      ]) {
        expect(await rawRequest(server, requestWithHeaders('/any', lines))).toBe(401);
        expect(await rawRequest(server, requestWithHeaders('/optional', lines))).toBe(401);
      }
    } finally {
      await close(server);
    }
  });

  it('through a real server: an oversized header gets the server’s 431, a large one 401', async () => {
    const server = await listen(app);
    try {
      const large = `Authorization: Bearer ${'a'.repeat(8_000)}`;
      expect(await rawRequest(server, requestWithHeaders('/any', [large]))).toBe(401);
      const huge = `Authorization: Bearer ${'a'.repeat(100_000)}`;
      expect(await rawRequest(server, requestWithHeaders('/any', [huge]))).toBe(431);
    } finally {
      await close(server);
    }
  });
});

let calls = 0;

/** Runs the middleware on a bare request; resolves with the status it set or whether it passed. */
function runMiddleware(
  middleware: (req: Request, res: Response, next: NextFunction) => void,
  authorization: string,
): Promise<{ status: number | null; passed: boolean }> {
  return new Promise((resolve, reject) => {
    let status: number | null = null;
    const timer = setTimeout(() => reject(new Error('middleware never answered')), 2_000);
    const done = (passed: boolean) => {
      clearTimeout(timer);
      resolve({ status, passed });
    };
    const res = {
      setHeader: () => res,
      status(code: number) {
        status = code;
        return res;
      },
      json: () => done(false),
    };
    // A different client address each call, so no per-address guard counts them together.
    const ip = `10.${(++calls >> 16) & 255}.${(calls >> 8) & 255}.${calls & 255}`;
    const req = {
      headers: { authorization },
      rawHeaders: ['Authorization', authorization],
      ip,
      socket: { remoteAddress: ip },
    };
    middleware(req as unknown as Request, res as unknown as Response, () => done(true));
  });
}
