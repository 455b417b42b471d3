import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { readinessHandler } from '../../src/http/readiness';
import { assembleLatchkey } from '../../src/latchkey';
import { createLogger } from '../../src/logger';
import { startServer } from '../../src/server';

const silent = () => createLogger({ level: 'silent' });

describe('/readyz', () => {
  it('is ready while the store answers, and 503 naming the store when it fails', async () => {
    const { latchkey, parts } = await assembleLatchkey({
      databasePath: ':memory:',
      logger: silent(),
    });
    const app = createApp(latchkey, {
      TRUST_PROXY: false,
      BODY_LIMIT: '100kb',
      METRICS_ENABLED: true,
    });
    try {
      await request(app).get('/readyz').expect(200, { status: 'ready' });
      jest.spyOn(parts.store, 'getSettings').mockRejectedValue(new Error('disk I/O error'));
      const res = await request(app).get('/readyz').expect(503);
      expect(res.body).toEqual({
        status: 'unavailable',
        failing: 'store',
        message: 'disk I/O error',
      });
      await request(app).get('/healthz').expect(200);
      const metrics = await request(app).get('/metrics').expect(200);
      expect(metrics.text).toContain('latchkey_store_errors_total{operation="readiness"} 1');
    } finally {
      await latchkey.close();
    }
  });

  it('answers 503 within its timeout when the store hangs', async () => {
    const { latchkey, parts } = await assembleLatchkey({
      databasePath: ':memory:',
      logger: silent(),
    });
    jest.spyOn(parts.store, 'getSettings').mockReturnValue(new Promise(() => undefined));
    const app = express().get('/readyz', readinessHandler(latchkey, { draining: false }, 50));
    try {
      const res = await request(app).get('/readyz').expect(503);
      expect(res.body.failing).toBe('store');
      expect(res.body.message).toMatch(/within 50 ms/);
    } finally {
      await latchkey.close();
    }
  });

  it('answers 503 during a graceful shutdown before connections close', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-ready-'));
    const running = await startServer(
      loadConfig({
        PORT: '0',
        DATABASE_PATH: path.join(dir, 'db.sqlite'),
        SHUTDOWN_DRAIN_MS: '400',
      }),
      silent(),
    );
    try {
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
      expect(fs.existsSync(path.join(dir, 'db.sqlite.server-pid'))).toBe(true);
      const stopped = running.stop();
      const during = await fetch(`${running.url}/readyz`);
      expect(during.status).toBe(503);
      expect(await during.json()).toMatchObject({ failing: 'shutdown' });
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
      await stopped;
      expect(fs.existsSync(path.join(dir, 'db.sqlite.server-pid'))).toBe(false);
    } finally {
      await running.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves metrics only on the loopback METRICS_PORT when it is set', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-ready-'));
    const probe = http.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const running = await startServer(
      loadConfig({
        PORT: '0',
        DATABASE_PATH: path.join(dir, 'db.sqlite'),
        METRICS_PORT: String(port),
      }),
      silent(),
    );
    try {
      expect(running.metricsUrl).toBe(`http://127.0.0.1:${port}/metrics`);
      expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
      const res = await fetch(running.metricsUrl!);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('latchkey_validations_total');
    } finally {
      await running.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
