import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { load, type LoadFigures, type LoadOptions } from './http-load';
import {
  OPS_PER_ROUND,
  ROUNDS,
  SAMPLE_SIZE,
  type LookupFigures,
  type LookupReport,
} from './lookup';
import type { BenchRequest } from './scenario';
import type { CpuReading, Served, ServerReady } from './server';
import { mean, median } from './stats';
import { fixed, table, whole } from './table';

/**
 * `npm run bench`: HTTP scenarios as ratios to a bare Express route (GET, or a
 * POST parsing the same JSON body for the REST API) measured in the same run, then store lookup time at two store sizes. Prints PASS/MISS per
 * target and exits 0 either way: it reports, it does not gate.
 */

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '0.25' },
    warmup: { type: 'string', default: '0.5' },
    connections: { type: 'string', default: '10' },
    pairs: { type: 'string', default: '24' },
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
const PAIRS = Math.min(100, Math.round(positive('pairs', args.pairs)));
const MAX_KEYS = 5_000_000;
const SMALL = Math.min(MAX_KEYS, Math.round(positive('small', args.small)));
const LARGE = Math.min(MAX_KEYS, Math.round(positive('large', args.large)));
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

async function checkOnce({ origin, name, request }: Served): Promise<void> {
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

function serverCpuMicros(server: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if ((m as CpuReading).type !== 'cpu') return;
      server.off('message', onMessage);
      resolve((m as CpuReading).micros);
    };
    server.on('message', onMessage);
    server.send({ type: 'cpu' });
  });
}

async function measure(
  server: ChildProcess,
  origin: string,
  request: BenchRequest,
): Promise<LoadFigures> {
  const cpuBefore = await serverCpuMicros(server);
  const figures = await load(origin, request, measureOptions);
  const cpuMicros = (await serverCpuMicros(server)) - cpuBefore;
  return { ...figures, cpuMicrosPerRequest: cpuMicros / figures.responses };
}

/** A scenario's runs, each with its ratios to the baseline run next to it. */
interface Measured {
  name: string;
  minRatio?: number;
  baseline: string;
  runs: LoadFigures[];
  /** req/s over the baseline's, by the wall clock. */
  ratios: number[];
  /** Baseline CPU per request over this one's: the req/s ratio of a server with a core to itself. */
  capacityRatios: number[];
}

const combine = (runs: LoadFigures[]): LoadFigures => ({
  requestsPerSecond: mean(runs.map((r) => r.requestsPerSecond)),
  p50Ms: median(runs.map((r) => r.p50Ms)),
  p99Ms: median(runs.map((r) => r.p99Ms)),
  responses: runs.reduce((n, r) => n + r.responses, 0),
  cpuMicrosPerRequest: median(runs.map((r) => r.cpuMicrosPerRequest)),
  unexpected: runs.reduce((n, r) => n + r.unexpected, 0),
});

async function runHttp(): Promise<void> {
  const execArgv = args.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve('bench-profiles')}`]
    : [];
  const server = startChild('server.js', [], execArgv);
  try {
    const ready = await firstMessage<ServerReady>(server, 'the bench server', 30_000);
    const baselines = new Map(ready.baselines.map((b) => [b.name, b]));
    // --only "a|b" runs the scenarios whose names contain a or b.
    const wanted = args.only?.split('|') ?? [];
    const chosen = ready.scenarios.filter(
      (s) => wanted.length === 0 || wanted.some((part) => s.name.includes(part)),
    );
    for (const s of [...ready.baselines, ...chosen]) await checkOnce(s);

    // Each scenario alternates short runs with its baseline (ABBA order, so a steady
    // drift cancels out) and each ratio compares neighbours: on a shared machine the
    // load changes from second to second, and neighbours see the same machine.
    const baselineRuns = new Map<string, LoadFigures[]>();
    const measured: Measured[] = [];
    for (const s of chosen) {
      const baseline = baselines.get(s.baseline);
      if (!baseline) throw new Error(`"${s.name}" names an unknown baseline "${s.baseline}"`);
      process.stderr.write(`measuring: ${s.name} (against ${baseline.name})\n`);
      await load(baseline.origin, baseline.request, warmupOptions);
      await load(s.origin, s.request, warmupOptions);
      const m: Measured = { ...s, runs: [], ratios: [], capacityRatios: [] };
      const bareRuns = baselineRuns.get(baseline.name) ?? [];
      baselineRuns.set(baseline.name, bareRuns);
      for (let pair = 0; pair < PAIRS; pair++) {
        const bareFirst = pair % 2 === 0;
        const [a, b] = bareFirst ? [baseline, s] : [s, baseline];
        const first = await measure(server, a.origin, a.request);
        const second = await measure(server, b.origin, b.request);
        const [base, f] = bareFirst ? [first, second] : [second, first];
        bareRuns.push(base);
        m.runs.push(f);
        m.ratios.push(f.requestsPerSecond / base.requestsPerSecond);
        m.capacityRatios.push(base.cpuMicrosPerRequest / f.cpuMicrosPerRequest);
      }
      measured.push(m);
      if (process.env.BENCH_SHOW_PAIRS) {
        const sorted = [...m.capacityRatios].sort((a, b) => a - b).map((r) => fixed(r, 3));
        console.error(`${s.name}: capacity ratio per pair, sorted: ${sorted.join(' ')}`);
      }
    }

    const row = (
      name: string,
      f: LoadFigures,
      ratios: string[],
      target: string,
      result: string,
    ) => [
      name,
      whole(f.requestsPerSecond),
      fixed(f.p50Ms, 3),
      fixed(f.p99Ms, 3),
      fixed(f.cpuMicrosPerRequest, 1),
      ...ratios,
      target,
      result,
    ];
    // Each baseline that ran, followed by the scenarios compared with it.
    const rows: string[][] = [];
    for (const [baseline, bareRuns] of baselineRuns) {
      const bareAll = combine(bareRuns);
      rows.push(row(baseline, bareAll, ['1.000', '1.000'], '', errorsOf(bareAll)));
      for (const m of measured.filter((m) => m.baseline === baseline)) {
        const ratio = median(m.ratios);
        const capacity = median(m.capacityRatios);
        const figures = combine(m.runs);
        const wanted = m.minRatio === undefined ? '' : `>= ${fixed(m.minRatio, 2)}`;
        const result =
          errorsOf(figures) ||
          (m.minRatio === undefined ? '' : capacity >= m.minRatio ? 'PASS' : 'MISS');
        rows.push(
          row(`  ${m.name}`, figures, [fixed(ratio, 3), fixed(capacity, 3)], wanted, result),
        );
        if (m.minRatio !== undefined) {
          verdicts.push({
            target: `${m.name} / ${baseline} (capacity)`,
            measured: `${fixed(capacity, 3)} (wall ${fixed(ratio, 3)})`,
            wanted,
            result: result as Verdict['result'],
          });
        }
      }
    }
    console.log(
      `\nHTTP on 127.0.0.1, ${measureOptions.connections} connections; per scenario ` +
        `${PAIRS} pairs of ${measureOptions.durationSeconds} s runs, scenario and its baseline ` +
        `side by side, after a ${warmupOptions.durationSeconds} s warm-up of each. Every route ` +
        'is served by an Express app of its own, on its own port.',
    );
    console.log(
      'Baselines: "bare route" is a GET with no middleware, for the middleware scenarios;\n' +
        '"bare JSON route" is a POST whose body (the bytes the REST scenario sends) is parsed\n' +
        'by express.json(), for the REST API. Each scenario is listed under its baseline.\n' +
        'wall ratio: req/s over the req/s of the baseline run next to it.\n' +
        "capacity: the baseline run's server CPU per request over this one's, i.e. the req/s\n" +
        'ratio when the server has a core to itself; other load on the machine moves it less.\n' +
        'Ratios are medians over the pairs; targets are judged on capacity.\n',
    );
    console.log(
      table(
        [
          'scenario',
          'req/s',
          'p50 ms',
          'p99 ms',
          'CPU µs/req',
          'wall ratio',
          'capacity',
          'target',
          'result',
        ],
        rows,
      ),
    );
    for (const [baseline, bareRuns] of baselineRuns) {
      console.log(
        `\n${baseline} runs, in order: ${bareRuns.map((b) => whole(b.requestsPerSecond)).join(', ')} req/s`,
      );
    }
  } finally {
    await stopChild(server);
  }
}

function errorsOf(f: LoadFigures): '' | 'ERROR' {
  return f.unexpected > 0 ? 'ERROR' : '';
}

async function runLookup(): Promise<void> {
  process.stderr.write(
    `store lookup: building ${whole(SMALL)} and ${whole(LARGE)} keys, then timing both in turn\n`,
  );
  const child = startChild('lookup.js', [String(SMALL), String(LARGE)]);
  const report = await firstMessage<LookupReport>(child, 'the store lookup', 1_200_000);
  await stopChild(child);
  const { small, large } = report;
  const timing = (t: LookupFigures['findKeyByDigest']) =>
    `${fixed(t.meanUs, 2)} / ${fixed(t.p50Us, 2)} / ${fixed(t.p99Us, 2)}`;
  console.log(
    `\nStore lookup: SQLite files in a temp dir, bulk-loaded then reopened; ${whole(SAMPLE_SIZE)} ` +
      'existing keys spread through each table, looked up in random order one at a time.\n' +
      `Per operation, ${ROUNDS} rounds of ${whole(OPS_PER_ROUND)} calls at each size, the two sizes ` +
      'taking turns (ABBA) so both see the machine at the same moment.\n' +
      'µs per call: mean / p50 / p99. Targets are judged on the median over round pairs of the ' +
      'large/small p50 ratio.\n',
  );
  console.log(
    table(
      [
        'keys in store',
        'build s',
        'findKeyByDigest',
        'validate, cache off',
        'validate, warm',
        'bad checksum',
      ],
      [small, large].map((f) => [
        whole(f.keys),
        fixed(f.buildSeconds, 1),
        timing(f.findKeyByDigest),
        timing(f.validateCacheOff),
        timing(f.validateWarm),
        timing(f.validateBadChecksum),
      ]),
    ),
  );
  const label = `${whole(large.keys)} vs ${whole(small.keys)} keys`;
  for (const [what, name] of [
    ['findKeyByDigest', 'findKeyByDigest'],
    ['validate (cache off)', 'validateCacheOff'],
  ] as const) {
    // Judged on p50: a lookup that lost its core to another process lands in the tail
    // and the mean, whatever the store size.
    const ratio = median(report.pairedP50Ratios[name]);
    const overall = large[name].p50Us / small[name].p50Us;
    verdicts.push({
      target: `${what} p50, ${label}`,
      measured: `${fixed(ratio, 3)}x (all rounds ${fixed(overall, 2)}x)`,
      wanted: `<= ${fixed(MAX_LOOKUP_RATIO, 2)}x`,
      result: ratio <= MAX_LOOKUP_RATIO ? 'PASS' : 'MISS',
    });
  }
}

/** Other work on the machine moves every figure; say how much there was. */
function machineLoad(when: string): string {
  const load = os.loadavg()[0] ?? 0;
  const cpus = os.cpus().length;
  const busy =
    load > cpus
      ? ': more runnable work than CPUs, so expect wall-clock figures to swing; capacity and p50 swing less'
      : '';
  return `load average ${when}: ${fixed(load, 2)} on ${cpus} CPUs${busy}`;
}

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Latchkey bench: Node ${process.version}, ${os.cpus().length} x ${cpu}`);
  console.log(machineLoad('at start'));
  if (!args['skip-http']) await runHttp();
  if (!args['skip-lookup']) await runLookup();
  console.log(`\n${machineLoad('at end')}`);
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
