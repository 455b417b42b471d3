import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { digestToken } from '../src/core/token';
import type { Latchkey } from '../src/latchkey';
import { createSqliteStore, type SqliteStore } from '../src/store/sqlite';
import { insertKeysInBulk, personalKeys } from './bulk-keys';
import { makeTempDatabase, openBenchLatchkey, seedCaller } from './fixture';
import { withBadChecksum } from './scenario';
import { mean, median, percentile } from './stats';

/** The same number of distinct keys is looked up at every store size. */
export const SAMPLE_SIZE = 10_000;
const WARMUP_OPS = 20_000;
/** Rounds per operation and store size, the two sizes taking turns (ABBA). */
export const ROUNDS = 8;
export const OPS_PER_ROUND = 25_000;

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

type Operation = Exclude<keyof LookupFigures, 'keys' | 'buildSeconds'>;
const OPERATIONS: Operation[] = [
  'findKeyByDigest',
  'validateCacheOff',
  'validateWarm',
  'validateBadChecksum',
];

/** What the child sends back: both sizes, and per operation the large/small p50 ratio of each round pair. */
export interface LookupReport {
  small: LookupFigures;
  large: LookupFigures;
  pairedP50Ratios: Record<Operation, number[]>;
}

/** One store size, built and opened, with the operations to time on it. */
interface Sized {
  keys: number;
  buildSeconds: number;
  ops: Record<Operation, { items: string[]; op: (item: string) => Promise<unknown> }>;
  close(): Promise<void>;
}

/**
 * Builds an SQLite file with `keyCount` keys and reopens it as the product would (cold
 * SQLite cache): a store, an uncached Latchkey and a Latchkey whose cache holds every
 * sampled key.
 */
async function prepare(keyCount: number): Promise<Sized> {
  const { tempDir, databasePath } = makeTempDatabase();
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

  const store: SqliteStore = createSqliteStore(databasePath);
  const uncached: Latchkey = await openBenchLatchkey(databasePath, {
    store,
    cacheTtlMs: 0,
    usageFlushIntervalMs: 0,
  });
  const cached = await openBenchLatchkey(databasePath, {
    cacheMaxEntries: SAMPLE_SIZE,
    usageFlushIntervalMs: 0,
  });
  for (const token of tokens) await cached.validateApiKey(token);
  return {
    keys: keyCount,
    buildSeconds,
    ops: {
      findKeyByDigest: {
        items: tokens.map(digestToken),
        op: async (digest) => {
          if (!(await store.findKeyByDigest(digest))) throw new Error('a seeded key was not found');
        },
      },
      validateCacheOff: {
        items: tokens,
        op: async (token) => {
          if (!(await uncached.validateApiKey(token)).valid) throw new Error('a seeded key failed');
        },
      },
      validateWarm: {
        items: tokens,
        op: async (token) => {
          if (!(await cached.validateApiKey(token)).valid) throw new Error('a seeded key failed');
        },
      },
      validateBadChecksum: {
        items: tokens.map(withBadChecksum),
        op: async (token) => {
          if ((await cached.validateApiKey(token)).valid) throw new Error('a bad checksum passed');
        },
      },
    },
    async close() {
      await uncached.close();
      await cached.close();
      fs.rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

const pickFrom = (items: string[]) => items[Math.floor(Math.random() * items.length)]!;

/** Touches every item once (first-touch page faults are not the steady state), then warms up. */
async function warmUp({ items, op }: Sized['ops'][Operation]): Promise<void> {
  for (const item of items) await op(item);
  for (let i = 0; i < WARMUP_OPS; i++) await op(pickFrom(items));
}

/** One round of calls on random items; µs per call. */
async function round({ items, op }: Sized['ops'][Operation]): Promise<Float64Array> {
  const us = new Float64Array(OPS_PER_ROUND);
  for (let i = 0; i < OPS_PER_ROUND; i++) {
    const item = pickFrom(items);
    const start = performance.now();
    await op(item);
    us[i] = (performance.now() - start) * 1000;
  }
  return us.sort();
}

function timingOf(rounds: Float64Array[]): Timing {
  const all = new Float64Array(rounds.length * OPS_PER_ROUND);
  rounds.forEach((r, i) => all.set(r, i * OPS_PER_ROUND));
  all.sort();
  return {
    meanUs: median(rounds.map(mean)),
    p50Us: percentile(all, 0.5),
    p99Us: percentile(all, 0.99),
    ops: all.length,
  };
}

/**
 * Times every operation at both store sizes, the sizes taking turns round by round
 * (ABBA), so both see the machine as it is at the same moment: each round pair gives
 * one large/small ratio, and a drift in the machine's speed cancels out.
 */
export async function measureLookup(smallKeys: number, largeKeys: number): Promise<LookupReport> {
  const small = await prepare(smallKeys);
  const large = await prepare(largeKeys);
  try {
    const figures = (s: Sized) => ({ keys: s.keys, buildSeconds: s.buildSeconds }) as LookupFigures;
    const report: LookupReport = {
      small: figures(small),
      large: figures(large),
      pairedP50Ratios: {} as LookupReport['pairedP50Ratios'],
    };
    for (const name of OPERATIONS) {
      await warmUp(small.ops[name]);
      await warmUp(large.ops[name]);
      const rounds = { small: [] as Float64Array[], large: [] as Float64Array[] };
      const ratios: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const smallFirst = r % 2 === 0;
        const first = await round((smallFirst ? small : large).ops[name]);
        const second = await round((smallFirst ? large : small).ops[name]);
        const [s, l] = smallFirst ? [first, second] : [second, first];
        rounds.small.push(s);
        rounds.large.push(l);
        ratios.push(percentile(l, 0.5) / percentile(s, 0.5));
      }
      report.small[name] = timingOf(rounds.small);
      report.large[name] = timingOf(rounds.large);
      report.pairedP50Ratios[name] = ratios;
    }
    return report;
  } finally {
    await small.close();
    await large.close();
  }
}

// Run as its own process, so the HTTP part's heap and caches are not in the way:
//   node dist-bench/bench/lookup.js 10000 1000000
if (require.main === module) {
  const [smallKeys, largeKeys] = [process.argv[2] ?? 10_000, process.argv[3] ?? 1_000_000].map(
    Number,
  ) as [number, number];
  measureLookup(smallKeys, largeKeys).then(
    (report) => {
      if (process.send) process.send(report, () => process.disconnect());
      else console.log(JSON.stringify(report, null, 2));
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
