import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'test/support/ts-register.js');

/** A child Node process running a TypeScript file from this repository, its stdout read line by line. */
export function spawnTs(
  file: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; lines: AsyncIterableIterator<string>; exited: Promise<ExitInfo> } {
  const child = spawn(process.execPath, ['-r', REGISTER, path.join(ROOT, file), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<ExitInfo>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.once('exit', (code) => {
    if (code !== 0 && code !== null && stderr) console.error(stderr);
  });
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines, exited };
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Reads lines until one satisfies `match`, or fails after `timeoutMs`. */
export async function waitForLine(
  lines: AsyncIterableIterator<string>,
  match: (line: string) => boolean,
  timeoutMs = 15_000,
): Promise<string> {
  const timeout = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for the child')), timeoutMs);
    timer.unref();
  });
  const read = (async () => {
    for (;;) {
      const next = await lines.next();
      if (next.done) throw new Error('the child closed its output');
      if (match(next.value)) return next.value;
    }
  })();
  return Promise.race([read, timeout]);
}

/** A server child (test/reliability/children/server-with-console.ts) and its console. */
export interface ServerChild {
  url: string;
  /** Sends one command and waits for the child to say it is done. */
  command(command: object): Promise<void>;
  /** SIGTERM, then the exit (a clean stop exits 0). */
  stop(): Promise<ExitInfo>;
}

/** Starts the server child with `env` on top of this process's environment. */
export async function startServerChild(env: NodeJS.ProcessEnv): Promise<ServerChild> {
  const child = spawn(
    process.execPath,
    ['-r', REGISTER, path.join(ROOT, 'test/reliability/children/server-with-console.ts')],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise<ExitInfo>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const line = await waitForLine(lines, (l) => l.startsWith('{"url"'), 30_000).catch(
    (err: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`the server child did not start: ${String(err)}\n${stderr}`);
    },
  );
  let sent = 0;
  return {
    url: (JSON.parse(line) as { url: string }).url,
    async command(command) {
      const n = ++sent;
      child.stdin.write(`${JSON.stringify(command)}\n`);
      await waitForLine(lines, (l) => l === JSON.stringify({ done: n }));
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
