import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createRequestListener } from '../src/app';
import { BENCH_APP_CONFIG, makeTempDatabase, openBenchLatchkey, seedCaller } from './fixture';
import type { BenchFixture, BenchRequest, Scenario } from './scenario';
import { bareRoute, scenarios } from './scenarios';

/** A route to load: the request to send, and the origin of the app that serves it. */
export interface Served {
  name: string;
  origin: string;
  request: BenchRequest;
}

/** Sent to the orchestrator once every route is mounted; the bare route is the first baseline. */
export interface ServerReady {
  type: 'ready';
  baselines: Served[];
  /** `baseline` names one of `baselines`. */
  scenarios: (Served & { minRatio?: number; baseline: string })[];
}

export interface CpuReading {
  type: 'cpu';
  /** User + system CPU time of the server process so far. */
  micros: number;
}

/**
 * The bench's server process, on 127.0.0.1 over a temp SQLite file. Every baseline and
 * scenario has an Express app and a port of its own, so each route is the first its app
 * matches and none pays for walking past another's. Runs apart from autocannon so the
 * two do not compete for one event loop.
 */
async function main(): Promise<void> {
  const { tempDir, databasePath } = makeTempDatabase();
  const latchkey = await openBenchLatchkey(databasePath);
  const latchkeyUncached = await openBenchLatchkey(databasePath, { cache: false });
  const latchkeyStrict = await openBenchLatchkey(databasePath, { consistency: 'strict' });
  const latchkeyWithMetrics = await openBenchLatchkey(databasePath);
  const metrics = latchkeyWithMetrics.metrics();
  const caller = await seedCaller(latchkey);

  const servers: http.Server[] = [];
  const serve = async (handler: http.RequestListener): Promise<string> => {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  // The backend API the remote client calls, served as the standalone server serves it.
  const backendApi = {
    origin: await serve(createRequestListener(latchkey, BENCH_APP_CONFIG)),
    integrationKey: (await latchkey.createIntegrationKey('bench')).token,
  };

  const onStop: (() => void)[] = [];
  const fixture: BenchFixture = {
    backendApi,
    onStop: (close) => void onStop.push(close),
    tempDir,
    databasePath,
    latchkey,
    latchkeyUncached,
    latchkeyStrict,
    latchkeyWithMetrics: { latchkey: latchkeyWithMetrics, metrics },
    ...caller,
  };
  const mount = async (scenario: Scenario): Promise<Served> => {
    const app = express();
    const { handler, ...request } = await scenario.mount(app, fixture);
    return { name: scenario.name, origin: await serve(handler ?? app), request };
  };
  const ready: ServerReady = { type: 'ready', baselines: [], scenarios: [] };
  const baselines = new Set<Scenario>([bareRoute]);
  for (const scenario of scenarios) if (scenario.baseline) baselines.add(scenario.baseline);
  for (const baseline of baselines) ready.baselines.push(await mount(baseline));
  for (const scenario of scenarios) {
    const baseline = (scenario.baseline ?? bareRoute).name;
    ready.scenarios.push({ ...(await mount(scenario)), minRatio: scenario.minRatio, baseline });
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const close of onStop) close();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await latchkeyUncached.close();
    await latchkeyStrict.close();
    await latchkeyWithMetrics.close();
    await latchkey.close();
    fs.rmSync(tempDir, { recursive: true, force: true });
    // Exit normally so --cpu-prof can write its profile.
    process.exit(0);
  };
  // The orchestrator asks for this process's CPU time around each run: CPU per
  // request stays comparable when other work on the machine slows the wall clock.
  process.on('message', (m: unknown) => {
    if ((m as { type?: string }).type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ type: 'cpu', micros: user + system } satisfies CpuReading);
    }
  });
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  process.send?.(ready);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
