import express from 'express';
import request from 'supertest';
import { LatchkeyError } from '../../src/core/errors';
import { errorHandler, notFoundHandler } from '../../src/http/error-handler';
import { createLogger } from '../../src/logger';
import { LogCapture } from '../support/harness';

function appThrowing(error: unknown) {
  const logs = new LogCapture();
  const app = express();
  app.use(express.json({ limit: '1kb' }));
  app.post('/boom', async () => {
    throw error;
  });
  app.use(notFoundHandler());
  app.use(errorHandler(createLogger({ level: 'debug', destination: logs })));
  return { app, logs };
}

describe('the error handler', () => {
  it('answers a LatchkeyError with its status, code, message and fields, and logs nothing', async () => {
    const { app, logs } = appThrowing(LatchkeyError.field('displayName', 'must not be empty'));
    const res = await request(app).post('/boom');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_input',
      message: 'displayName: must not be empty',
      fields: { displayName: ['must not be empty'] },
    });
    expect(logs.text).toBe('');
  });

  it.each([
    ['not_found', 404],
    ['conflict', 409],
    ['limit_reached', 409],
    ['rate_limited', 429],
    ['unavailable', 503],
  ] as const)('maps %s to %i', async (code, status) => {
    const { app } = appThrowing(new LatchkeyError(code));
    const res = await request(app).post('/boom');
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(code);
  });

  it('answers anything unexpected with a plain 500 and logs it without secrets', async () => {
    const secret = 'lk_ThisMustNeverBeLogged';
    const err = Object.assign(new Error('database exploded'), { token: secret });
    const { app, logs } = appThrowing(err);
    const res = await request(app).post('/boom').set('Authorization', `Bearer ${secret}`);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal', message: 'Something went wrong on our side.' });
    expect(res.text).not.toContain('exploded');
    expect(logs.text).toContain('database exploded');
    expect(logs.text).not.toContain(secret);
  });

  it('answers a thrown non-error value with a 500 too', async () => {
    const { app } = appThrowing(null);
    expect((await request(app).post('/boom')).status).toBe(500);
  });

  it('keeps client errors from body parsing as 4xx JSON without logging them', async () => {
    const { app, logs } = appThrowing(new Error('unused'));
    const bad = await request(app).post('/boom').set('Content-Type', 'application/json').send('{');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('bad_request');
    const big = await request(app)
      .post('/boom')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ x: 'y'.repeat(2048) }));
    expect(big.status).toBe(413);
    expect(big.body.error).toBe('payload_too_large');
    expect(logs.text).toBe('');
  });
});
