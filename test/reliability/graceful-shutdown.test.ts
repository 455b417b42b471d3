import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeLatchkey } from '../support/harness';
import { spawnTs, waitForLine } from '../support/child';

/** Starts the real server (src/server.ts) on a free port and returns its URL. */
async function startServer(databasePath: string) {
  const server = spawnTs('src/server.ts', [], {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_PATH: databasePath,
    MONGODB_URI: '', // the SQLite file above, even when the run has a MongoDB
    LOG_LEVEL: 'info',
    USAGE_FLUSH_INTERVAL_MS: '3600000', // only the shutdown flush can write usage
  });
  const line = await waitForLine(server.lines, (l) => l.includes('Latchkey is listening'));
  return { ...server, url: new URL((JSON.parse(line) as { url: string }).url) };
}

/** A request whose body is only half sent, so it is still in flight until `finish()`. */
function halfSentRequest(url: URL, token: string) {
  const body = JSON.stringify({ hello: 'world' });
  const req = http.request(url, {
    method: 'POST',
    path: '/api/whoami',
    agent: new http.Agent({ keepAlive: true }), // a client that would keep the connection open
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      Authorization: `Bearer ${token}`,
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, 5));
  req.flushHeaders();
  return { response, finish: () => req.end(body.slice(5)) };
}

const connects = (url: URL) =>
  new Promise<boolean>((resolve) => {
    const req = http.get(new URL('/healthz', url), { agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
  });

describe('graceful shutdown', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-shutdown-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('on SIGTERM stops accepting, finishes in-flight requests, closes the store and exits 0', async () => {
    const file = path.join(dir, 'server.db');
    const setup = await makeLatchkey({ databasePath: file });
    const user = await setup.createUser({ email: 'shutdown@example.com' });
    const { apiKeyId, apiKeyToken } = await setup.createApiKey({ userId: user.id });
    await setup.close();

    const server = await startServer(file);
    expect(await connects(server.url)).toBe(true);
    const inFlight = halfSentRequest(server.url, apiKeyToken);
    await new Promise((r) => setTimeout(r, 200)); // let the server accept it

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    await waitForLine(server.lines, (l) => l.includes('shutting down'));
    expect(await connects(server.url)).toBe(false);

    inFlight.finish();
    const answered = await inFlight.response;
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.body)).toMatchObject({ apiKeyId, user: { userId: user.id } });

    expect(await server.exited).toEqual({ code: 0, signal: null });
    // Well inside SHUTDOWN_TIMEOUT_MS (10 s): the kept-alive connection did not hold it open.
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    // Closed cleanly: SQLite removes the WAL file, and the usage buffer was written first.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT SUM(count) FROM key_usage').pluck().get()).toBe(1);
    db.close();
  }, 60_000);
});
