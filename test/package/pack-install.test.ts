import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The package as a host gets it: `npm pack`, unpack into a fresh host app, type-check the
 * embedded example against the installed types, run it, create a key with the package's
 * `latchkey` bin and call the example's protected route with it.
 *
 * The package's dependencies are linked from this repository's node_modules: installing
 * them from the registry compiles better-sqlite3 and takes about a minute on its own.
 */

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);
let dir: string;
let host: string;
let tarballFiles: string[];
let example: ChildProcess | undefined;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-pack-'));
  const packed = execFileSync('npm', ['pack', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  const tarball = path.join(dir, packed.trim().split('\n').pop()!);
  tarballFiles = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((f) => f.replace(/^package\//, ''));

  host = path.join(dir, 'host');
  const modules = path.join(host, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  fs.renameSync(path.join(dir, 'package'), path.join(modules, 'latchkey'));
  const repoModules = fs.realpathSync(path.join(root, 'node_modules'));
  for (const name of fs.readdirSync(repoModules)) {
    if (!name.startsWith('.'))
      fs.symlinkSync(path.join(repoModules, name), path.join(modules, name));
  }
  const hostPackage = {
    name: 'host',
    version: '1.0.0',
    private: true,
    dependencies: { latchkey: `file:../${path.basename(tarball)}` },
  };
  fs.writeFileSync(path.join(host, 'package.json'), JSON.stringify(hostPackage, null, 2));
  // Links the package's bin into node_modules/.bin, as `npm install` does.
  execFileSync('npm', ['rebuild', 'latchkey', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: host,
    stdio: 'pipe',
    timeout: 60_000,
  });
}, 180_000);

afterAll(async () => {
  if (example && example.exitCode === null) {
    const exited = new Promise((resolve) => example!.once('exit', resolve));
    example.kill('SIGTERM');
    await exited;
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the tarball holds the built package and nothing of the repository', () => {
  expect(tarballFiles).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'LICENSE',
      'bin/latchkey.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/pages.d.ts',
      'dist/client/index.d.ts',
      'dist/cli/main.js',
      'views/layout.ejs',
      'public/styles.css',
    ]),
  );
  const strays = tarballFiles.filter((f) =>
    /^(src|test|bench|loadtest|docs|examples|dist\/example-embedded|dist\/loadtest)\/|\.map$|tsbuildinfo/.test(
      f,
    ),
  );
  expect(strays).toEqual([]);
});

test('the embedded example type-checks against the installed package, runs and validates a key', async () => {
  fs.copyFileSync(path.join(root, 'examples/embedded/server.ts'), path.join(host, 'server.ts'));
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: false,
      types: ['node'],
      rootDir: '.',
      outDir: 'dist',
    },
    include: ['server.ts'],
  };
  fs.writeFileSync(path.join(host, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  await run(process.execPath, [path.join(host, 'node_modules/typescript/bin/tsc'), '-p', host], {
    cwd: host,
  });

  const port = await freePort();
  const env = { ...process.env, PORT: String(port), DATABASE_PATH: path.join(dir, 'host.db') };
  example = spawn(process.execPath, ['dist/server.js'], { cwd: host, env, stdio: 'pipe' });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`example did not start: ${out}`)), 20_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Host app with embedded Latchkey')) {
        clearTimeout(timer);
        resolve();
      }
    };
    example!.stdout!.on('data', read);
    example!.stderr!.on('data', read);
    example!.once('exit', (code) => reject(new Error(`example exited (${code}): ${out}`)));
  });

  const bin = path.join(host, 'node_modules/.bin/latchkey');
  const { stdout } = await run(bin, ['create-key', '--user', 'ada@example.com', '--json'], {
    cwd: host,
    env,
  });
  const { apiKeyToken } = JSON.parse(stdout) as { apiKeyToken: string };

  const res = await fetch(`http://127.0.0.1:${port}/api/me`, {
    headers: { authorization: `Bearer ${apiKeyToken}` },
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ user: { email: 'ada@example.com' } });
}, 120_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
