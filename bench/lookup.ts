import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { digestToken } from '../src/core/token';
import { createSqliteStore } from '../src/store/sqlite';
import { insertKeysInBulk, personalKeys } from './bulk-keys';
import { makeTempDatabase, openBenchLatchkey, seedCaller } from './fixture';
import { withBadChecksum } from './scenario';
import { median, percentile } from './stats';

/** The same number of distinct keys is looked up at every store size. */
export const SAMPLE_SIZE = 10_000;
const WARMUP_OPS = 20_000;
const ROUNDS = 5;
const OPS_PER_ROUND = 40_000;

export interface Timing {
  /** Median over the rounds of each round's mean. */
  meanUs: number;
  p50Us: number;
  p99Us: number;
  ops: number;
}

export interface LookupFigures {
  keys: number;
  buildSeconds: number;
  findKeyByDigest: Timing;
  validateCacheOff: Timing;
  /** The same keys through a default Latchkey whose cache already holds them. */
  validateWarm: Timing;
  /** Tokens with a wrong checksum: rejected before any store read. */
  validateBadChecksum: Timing;
}

/** Times `op` on random items: a warm-up, then several rounds so one noisy moment cannot decide. */
async function time<T>(items: T[], op: (item: T) => Promise<unknown>): Promise<Timing> {
  const pick = () => items[Math.floor(Math.random() * items.length)]!;
  // Touch every item once first, so first-touch page faults of the memory map are
  // not counted against the bigger store: the figure is the steady state.
  for (const item of items) await op(item);
  for (let i = 0; i < WARMUP_OPS; i++) await op(pick());
  const all = new Float64Array(ROUNDS * OPS_PER_ROUND);
  const roundMeans: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let sum = 0;
    for (let i = 0; i < OPS_PER_ROUND; i++) {
      const item = pick();
      const start = performance.now();
      await op(item);
      const us = (performance.now() - start) * 1000;
      all[r * OPS_PER_ROUND + i] = us;
      sum += us;
    }
    roundMeans.push(sum / OPS_PER_ROUND);
  }
  all.sort();
  return {
    meanUs: median(roundMeans),
    p50Us: percentile(all, 0.5),
    p99Us: percentile(all, 0.99),
    ops: all.length,
  };
}

/**
 * Builds an SQLite file with `keyCount` keys, reopens it as the product would
 * (cold SQLite cache), and times findKeyByDigest and uncached validation of
 * random existing keys.
 */
export async function measureLookup(keyCount: number): Promise<LookupFigures> {
  const { tempDir, databasePath } = makeTempDatabase();
  try {
    const buildStart = performance.now();
    const builder = await openBenchLatchkey(databasePath, { usageFlushIntervalMs: 0 });
    const caller = await seedCaller(builder);
    const prefix = builder.getSettings().tokenPrefix;
    await builder.close();
    const tokens: string[] = [];
    const bulkStore = createSqliteStore(databasePath);
    insertKeysInBulk(
      bulkStore,
      personalKeys(keyCount - 1, SAMPLE_SIZE, caller.userId, prefix, (t) => tokens.push(t)),
    );
    await bulkStore.close();
    const buildSeconds = (performance.now() - buildStart) / 1000;

    const store = createSqliteStore(databasePath);
    const latchkey = await openBenchLatchkey(databasePath, {
      store,
      cacheTtlMs: 0,
      usageFlushIntervalMs: 0,
    });
    const digests = tokens.map(digestToken);
    const findKeyByDigest = await time(digests, async (digest) => {
      if (!(await store.findKeyByDigest(digest))) throw new Error('a seeded key was not found');
    });
    const validateCacheOff = await time(tokens, async (token) => {
      if (!(await latchkey.validateApiKey(token)).valid) throw new Error('a seeded key failed');
    });
    await latchkey.close();

    const cached = await openBenchLatchkey(databasePath, {
      cacheMaxEntries: SAMPLE_SIZE,
      usageFlushIntervalMs: 0,
    });
    for (const token of tokens) await cached.validateApiKey(token);
    const validateWarm = await time(tokens, async (token) => {
      if (!(await cached.validateApiKey(token)).valid) throw new Error('a seeded key failed');
    });
    const validateBadChecksum = await time(tokens.map(withBadChecksum), async (token) => {
      if ((await cached.validateApiKey(token)).valid) throw new Error('a bad checksum passed');
    });
    await cached.close();
    return {
      keys: keyCount,
      buildSeconds,
      findKeyByDigest,
      validateCacheOff,
      validateWarm,
      validateBadChecksum,
    };
  } finally {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

// Run as its own process (one per store size) so each size starts from the same state:
//   node dist-bench/bench/lookup.js 1000000
if (require.main === module) {
  const keyCount = Number(process.argv[2] ?? 10_000);
  measureLookup(keyCount).then(
    (figures) => {
      if (process.send) process.send(figures, () => process.disconnect());
      else console.log(JSON.stringify(figures, null, 2));
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
