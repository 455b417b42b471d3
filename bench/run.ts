import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { load, type LoadFigures, type LoadOptions } from './http-load';
import type { LookupFigures } from './lookup';
import type { BenchRequest } from './scenario';
import type { ServerReady } from './server';
import { mean } from './stats';
import { fixed, table, whole } from './table';

/**
 * `npm run bench`: HTTP scenarios as ratios to a bare Express route measured in
 * the same run, then store lookup time at two store sizes. Prints PASS/MISS per
 * target and exits 0 either way: it reports, it does not gate.
 */

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '10' },
    only: { type: 'string' },
    small: { type: 'string', default: '10000' },
    large: { type: 'string', default: '1000000' },
    'skip-http': { type: 'boolean', default: false },
    'skip-lookup': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
});

const positive = (name: string, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};
const measureOptions: LoadOptions = {
  // Bounded: at most a minute per run whatever is asked.
  durationSeconds: Math.min(60, positive('duration', args.duration)),
  connections: Math.min(100, Math.round(positive('connections', args.connections))),
};
const warmupOptions: LoadOptions = {
  ...measureOptions,
  durationSeconds: Math.min(10, positive('warmup', args.warmup)),
};
const SMALL = Math.round(positive('small', args.small));
const LARGE = Math.round(positive('large', args.large));
const MAX_LOOKUP_RATIO = 1.2;

interface Verdict {
  target: string;
  measured: string;
  wanted: string;
  result: 'PASS' | 'MISS' | 'ERROR';
}
const verdicts: Verdict[] = [];

function startChild(file: string, argv: string[], execArgv: string[] = []): ChildProcess {
  return fork(path.join(__dirname, file), argv, { execArgv, stdio: 'inherit' });
}

/** Resolves with the child's first message; rejects if it exits or stays silent too long. */
function firstMessage<T>(child: ChildProcess, what: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} took over ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as T);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with code ${code}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function checkOnce(origin: string, name: string, request: BenchRequest): Promise<void> {
  const res = await fetch(origin + request.path, {
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
  });
  await res.arrayBuffer();
  if (res.status !== request.expectStatus) {
    throw new Error(`"${name}" answered ${res.status}, expected ${request.expectStatus}`);
  }
}

async function measure(origin: string, request: BenchRequest): Promise<LoadFigures> {
  await load(origin, request, warmupOptions);
  return load(origin, request, measureOptions);
}

async function runHttp(): Promise<void> {
  const execArgv = args.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve('bench-profiles')}`]
    : [];
  const server = startChild('server.js', [], execArgv);
  try {
    const ready = await firstMessage<ServerReady>(server, 'the bench server', 30_000);
    const [bare, ...all] = ready.scenarios;
    if (!bare) throw new Error('the bench server mounted no routes');
    const chosen = all.filter((s) => !args.only || s.name.includes(args.only));
    for (const s of [bare, ...chosen]) await checkOnce(ready.origin, s.name, s.request);

    // The bare route runs before and after every scenario; each ratio uses the two
    // bare runs around it, so drift on a shared machine does not bias the ratios.
    const bareRuns: LoadFigures[] = [await measure(ready.origin, bare.request)];
    const rows: string[][] = [];
    const results: { name: string; minRatio?: number; figures: LoadFigures; ratio: number }[] = [];
    for (const s of chosen) {
      process.stderr.write(`measuring: ${s.name}\n`);
      const figures = await measure(ready.origin, s.request);
      bareRuns.push(await measure(ready.origin, bare.request));
      const around = bareRuns.slice(-2).map((b) => b.requestsPerSecond);
      results.push({ ...s, figures, ratio: figures.requestsPerSecond / mean(around) });
    }

    const bareMean = mean(bareRuns.map((b) => b.requestsPerSecond));
    const row = (name: string, f: LoadFigures, ratio: string, target: string, result: string) => [
      name,
      whole(f.requestsPerSecond),
      fixed(f.p50Ms, 3),
      fixed(f.p99Ms, 3),
      ratio,
      target,
      result,
    ];
    bareRuns.forEach((b, i) => rows.push(row(`bare route (run ${i + 1})`, b, '', '', errorsOf(b))));
    for (const r of results) {
      const wanted = r.minRatio === undefined ? '' : `>= ${fixed(r.minRatio, 2)}`;
      const result =
        errorsOf(r.figures) ||
        (r.minRatio === undefined ? '' : r.ratio >= r.minRatio ? 'PASS' : 'MISS');
      rows.push(row(r.name, r.figures, fixed(r.ratio, 3), wanted, result));
      if (r.minRatio !== undefined) {
        verdicts.push({
          target: `${r.name} / bare req/s`,
          measured: fixed(r.ratio, 3),
          wanted,
          result: result as Verdict['result'],
        });
      }
    }
    console.log(
      `\nHTTP: GET on 127.0.0.1, ${measureOptions.connections} connections, ${measureOptions.durationSeconds} s per run after a ${warmupOptions.durationSeconds} s warm-up`,
    );
    console.log(
      'Ratio = req/s over the mean of the bare runs just before and after. ' +
        `Bare mean: ${whole(bareMean)} req/s.\n`,
    );
    console.log(
      table(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'target', 'result'], rows),
    );
  } finally {
    await stopChild(server);
  }
}

function errorsOf(f: LoadFigures): '' | 'ERROR' {
  return f.unexpected > 0 ? 'ERROR' : '';
}

async function runLookup(): Promise<void> {
  const figures: LookupFigures[] = [];
  for (const size of [SMALL, LARGE]) {
    process.stderr.write(`store lookup: building and timing ${whole(size)} keys\n`);
    const child = startChild('lookup.js', [String(size)]);
    figures.push(await firstMessage<LookupFigures>(child, `the ${size}-key lookup`, 600_000));
    await stopChild(child);
  }
  const [small, large] = figures as [LookupFigures, LookupFigures];
  const timing = (t: LookupFigures['findKeyByDigest']) =>
    `${fixed(t.meanUs, 2)} / ${fixed(t.p50Us, 2)} / ${fixed(t.p99Us, 2)}`;
  console.log(
    `\nStore lookup: SQLite file in a temp dir, random existing keys (${whole(10_000)} sampled), ` +
      'one op at a time, µs mean / p50 / p99\n',
  );
  console.log(
    table(
      ['keys in store', 'build s', 'findKeyByDigest', 'validate, cache off'],
      figures.map((f) => [
        whole(f.keys),
        fixed(f.buildSeconds, 1),
        timing(f.findKeyByDigest),
        timing(f.validateCacheOff),
      ]),
    ),
  );
  const label = `${whole(large.keys)} vs ${whole(small.keys)} keys`;
  for (const [what, a, b] of [
    ['findKeyByDigest', small.findKeyByDigest, large.findKeyByDigest],
    ['validate (cache off)', small.validateCacheOff, large.validateCacheOff],
  ] as const) {
    const ratio = b.meanUs / a.meanUs;
    verdicts.push({
      target: `${what} mean, ${label}`,
      measured: `${fixed(ratio, 3)}x`,
      wanted: `<= ${fixed(MAX_LOOKUP_RATIO, 2)}x`,
      result: ratio <= MAX_LOOKUP_RATIO ? 'PASS' : 'MISS',
    });
  }
}

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Latchkey bench: Node ${process.version}, ${os.cpus().length} x ${cpu}`);
  if (!args['skip-http']) await runHttp();
  if (!args['skip-lookup']) await runLookup();
  console.log('\nSummary\n');
  console.log(
    table(
      ['target', 'measured', 'wanted', 'result'],
      verdicts.map((v) => [v.target, v.measured, v.wanted, v.result]),
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
