/**
 * `npm run loadtest`: mixed validate / create / revoke traffic against a Latchkey
 * host app on 127.0.0.1 for LOADTEST_SECONDS (default 60). Fails (exit 1) on any
 * answer other than the expected ones, or when retained memory keeps growing.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { generateToken } from '../src/core/token';

const SECONDS = Number(process.env.LOADTEST_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.LOADTEST_CONNECTIONS ?? 32);
const SAMPLE_EVERY_MS = Math.max(1_000, (SECONDS * 1_000) / 12);
/** Retained heap may grow this much over the second half of the run and still count as flat. */
const FLAT_HEAP_MB = 8;

type Op = 'validate' | 'invalid' | 'create' | 'revoke';
/** What each kind of request may answer. 401 for a valid key only after its revoke was sent. */
const EXPECTED: Record<Op, number[]> = {
  validate: [200, 401, 429],
  invalid: [401, 429],
  create: [201],
  revoke: [200],
};

interface PoolKey {
  id: string;
  token: string;
}

const stats = new Map<Op, { statuses: Map<number | 'network', number>; latencies: number[] }>();
const unexpected: string[] = [];
const pool: PoolKey[] = [];
const revoked = new Set<string>();

function record(op: Op, status: number | 'network', ms: number, detail = ''): void {
  let s = stats.get(op);
  if (!s) stats.set(op, (s = { statuses: new Map(), latencies: [] }));
  s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
  s.latencies.push(ms);
  if (status === 'network' || !EXPECTED[op].includes(status)) {
    if (unexpected.length < 20) unexpected.push(`${op} -> ${status} ${detail}`.trim());
    else unexpected.length++;
  }
}

async function send(
  base: string,
  op: Op,
  init: RequestInit & { path: string },
): Promise<Response | null> {
  const started = performance.now();
  try {
    const res = await fetch(base + init.path, init);
    const ms = performance.now() - started;
    const body = await res.text();
    record(op, res.status, ms, res.ok ? '' : body.slice(0, 120));
    return new Response(body, { status: res.status });
  } catch (err) {
    record(op, 'network', performance.now() - started, String(err));
    return null;
  }
}

async function createKey(base: string, users: string[], ip: string): Promise<void> {
  const userId = users[Math.floor(Math.random() * users.length)];
  // One key in ten has a tight limit of its own, so 429s are part of the mix.
  const rateLimit = Math.random() < 0.1 ? { limit: 5, periodSeconds: 1 } : null;
  const res = await send(base, 'create', {
    path: '/keys',
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip },
    body: JSON.stringify({ userId, rateLimit }),
  });
  if (res?.status === 201) pool.push((await res.json()) as PoolKey);
}

async function worker(base: string, users: string[], n: number, until: number): Promise<void> {
  const ip = `10.0.${n}.1`;
  while (Date.now() < until) {
    const roll = Math.random();
    if (roll < 0.06 || pool.length < 50) {
      await createKey(base, users, ip);
    } else if (roll < 0.12) {
      const key = pool.splice(Math.floor(Math.random() * pool.length), 1)[0]!;
      revoked.add(key.id);
      await send(base, 'revoke', {
        path: `/keys/${key.id}`,
        method: 'DELETE',
        headers: { 'X-Forwarded-For': ip },
      });
    } else if (roll < 0.2) {
      // Made-up tokens from a handful of flooding addresses: 401 until the guard answers 429.
      await send(base, 'invalid', {
        path: '/protected',
        headers: {
          Authorization: `Bearer ${generateToken('lk')}`,
          'X-Forwarded-For': `10.66.0.${n % 4}`,
        },
      });
    } else {
      const key = pool[Math.floor(Math.random() * pool.length)]!;
      const res = await send(base, 'validate', {
        path: '/protected',
        headers: { Authorization: `Bearer ${key.token}`, 'X-Forwarded-For': ip },
      });
      if (res?.status === 401 && !revoked.has(key.id)) {
        unexpected.push(`validate -> 401 for a key that was never revoked (${key.id})`);
      }
    }
  }
}

interface MemorySample {
  at: number;
  heapUsed: number;
  rss: number;
}

async function sampleMemory(base: string, started: number): Promise<MemorySample> {
  const m = (await (await fetch(`${base}/memory`)).json()) as { heapUsed: number; rss: number };
  return { at: (Date.now() - started) / 1000, heapUsed: m.heapUsed, rss: m.rss };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : 0;

async function main(): Promise<void> {
  const server = spawn(process.execPath, ['--expose-gc', path.join(__dirname, 'server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const output = readline.createInterface({ input: server.stdout });
  const first = await output[Symbol.asyncIterator]().next();
  const { url, users } = JSON.parse(String(first.value)) as { url: string; users: string[] };

  console.log(`Load test: ${SECONDS} s, ${CONNECTIONS} concurrent clients, against ${url}`);
  const started = Date.now();
  const until = started + SECONDS * 1_000;
  const samples: MemorySample[] = [await sampleMemory(url, started)];
  const sampler = setInterval(() => {
    sampleMemory(url, started).then(
      (s) => samples.push(s),
      () => undefined,
    );
  }, SAMPLE_EVERY_MS);
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, n) => worker(url, users, n, until)));
  clearInterval(sampler);
  samples.push(await sampleMemory(url, started));
  const elapsed = (Date.now() - started) / 1000;
  server.kill('SIGTERM');

  let total = 0;
  console.log('\nrequest   answers                               p50 ms  p99 ms');
  for (const [op, s] of stats) {
    const count = s.latencies.length;
    total += count;
    const sorted = s.latencies.sort((a, b) => a - b);
    const answers = [...s.statuses].map(([status, n]) => `${status}: ${n}`).join(', ');
    console.log(
      `${op.padEnd(9)} ${answers.padEnd(37)} ${percentile(sorted, 0.5).toFixed(1).padStart(6)} ${percentile(sorted, 0.99).toFixed(1).padStart(7)}`,
    );
  }
  console.log(
    `\n${total} requests in ${elapsed.toFixed(1)} s: ${(total / elapsed).toFixed(0)} per second`,
  );

  console.log('\nserver memory after a full GC (s: heap MB / rss MB)');
  console.log(samples.map((s) => `${s.at.toFixed(0)}s: ${mb(s.heapUsed)}/${mb(s.rss)}`).join('  '));
  const half = samples.filter((s) => s.at >= elapsed / 2);
  const heapGrowth = (half[half.length - 1]?.heapUsed ?? 0) - (half[0]?.heapUsed ?? 0);
  const flat = heapGrowth < FLAT_HEAP_MB * 1024 * 1024;
  console.log(
    `retained heap over the second half: ${heapGrowth >= 0 ? '+' : ''}${mb(heapGrowth)} MB (${flat ? 'flat' : 'GROWING'}; limit ${FLAT_HEAP_MB} MB)`,
  );

  if (unexpected.length) {
    console.log(`\n${unexpected.length} unexpected answers, first ones:`);
    for (const line of unexpected.filter(Boolean).slice(0, 20)) console.log(`  ${line}`);
  }
  const clean = unexpected.length === 0 && flat;
  console.log(`\nresult: ${clean ? 'clean' : 'FAILED'}`);
  process.exit(clean ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
