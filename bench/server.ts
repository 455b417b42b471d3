import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { makeTempDatabase, openBenchLatchkey, seedCaller } from './fixture';
import type { BenchFixture, BenchRequest, Scenario } from './scenario';
import { bareRoute, scenarios } from './scenarios';

/** Sent to the orchestrator once every route is mounted; the bare route is the first baseline. */
export interface ServerReady {
  type: 'ready';
  origin: string;
  baselines: { name: string; request: BenchRequest }[];
  /** `baseline` names one of `baselines`. */
  scenarios: { name: string; minRatio?: number; baseline: string; request: BenchRequest }[];
}

export interface CpuReading {
  type: 'cpu';
  /** User + system CPU time of the server process so far. */
  micros: number;
}

/**
 * The bench's server process: one Express app with every scenario's route, on
 * 127.0.0.1, over a temp SQLite file. Runs apart from autocannon so the two do
 * not compete for one event loop.
 */
async function main(): Promise<void> {
  const { tempDir, databasePath } = makeTempDatabase();
  const latchkey = await openBenchLatchkey(databasePath);
  const latchkeyUncached = await openBenchLatchkey(databasePath, { cacheTtlMs: 0 });
  const caller = await seedCaller(latchkey);

  const app = express();
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fixture: BenchFixture = {
    origin,
    tempDir,
    databasePath,
    latchkey,
    latchkeyUncached,
    ...caller,
  };
  const ready: ServerReady = { type: 'ready', origin, baselines: [], scenarios: [] };
  // Baselines first, so their routes sit as early in the app's stack as the bare route.
  const baselines = new Set<Scenario>([bareRoute]);
  for (const scenario of scenarios) if (scenario.baseline) baselines.add(scenario.baseline);
  for (const baseline of baselines) {
    ready.baselines.push({ name: baseline.name, request: await baseline.mount(app, fixture) });
  }
  for (const scenario of scenarios) {
    const request = await scenario.mount(app, fixture);
    const { name, minRatio } = scenario;
    const baseline = (scenario.baseline ?? bareRoute).name;
    ready.scenarios.push({ name, minRatio, baseline, request });
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    server.close();
    await latchkeyUncached.close();
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
