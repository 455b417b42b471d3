import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The README's quick start, as a newcomer runs it: build and start the server,
 * create a user and a key with the CLI, then call POST /api/whoami with the key.
 */

const root = path.resolve(__dirname, '..');
const run = promisify(execFile);
let dir: string;
let env: NodeJS.ProcessEnv;
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'pipe', timeout: 120_000 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-quick-start-'));
  env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_PATH: path.join(dir, 'data', 'latchkey.db'),
    LOG_LEVEL: 'info',
    BCRYPT_COST: '4',
  };
  server = spawn(process.execPath, ['dist/server.js'], { cwd: root, env, stdio: 'pipe' });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}, 150_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function latchkeyCli(...args: string[]): Promise<Record<string, string>> {
  const { stdout } = await run(process.execPath, ['dist/cli/main.js', ...args, '--json'], {
    cwd: root,
    env,
    timeout: 20_000,
  });
  return JSON.parse(stdout) as Record<string, string>;
}

it('runs what `npm start` and `npm run latchkey` run, after the same build', () => {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(scripts).toMatchObject({
    prestart: 'npm run -s build',
    start: 'node dist/server.js',
    prelatchkey: 'npm run -s build',
    latchkey: 'node dist/cli/main.js',
  });
});

it('answers /healthz once started, creating its SQLite file', async () => {
  const res = await fetch(`${url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
  expect(fs.existsSync(env.DATABASE_PATH!)).toBe(true);
});

it('start, create a user and a key, curl /api/whoami, and see the seed’s JSON', async () => {
  const user = await latchkeyCli('create-user', '--email', 'test@example.com');
  // `npm run -s latchkey -- create-key ...` is this after its build, which beforeAll did.
  const key = await latchkeyCli(
    'create-key',
    '--user',
    'test@example.com',
    '--metadata',
    '{"howDoISetThis":"you can set the metadata on API key creation or update"}',
  );

  // curl -H "Authorization: Bearer $KEY" -X POST localhost:3000/api/whoami
  const res = await fetch(`${url}/api/whoami`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key.apiKeyToken}` },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({
    user: {
      userId: user.userId,
      email: 'test@example.com',
      emailConfirmed: true,
      hasPassword: false,
      pictureUrl: null,
      locked: false,
      enabled: true,
      mfaEnabled: false,
      canCreateOrgs: false,
      createdAt: expect.any(Number),
      lastActiveAt: expect.any(Number),
      orgIdToOrgInfo: {},
      updatePasswordRequired: false,
    },
    metadata: { howDoISetThis: 'you can set the metadata on API key creation or update' },
  });

  const refused = await fetch(`${url}/api/whoami`, { method: 'POST' });
  expect(refused.status).toBe(401);
});

it('stops cleanly on SIGTERM', async () => {
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  expect(await exited).toBe(0);
});
