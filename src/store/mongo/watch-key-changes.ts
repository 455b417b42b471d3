import type { CounterReading } from './change-counter';
import type { MongoStore } from './mongo-store';
import { supportsTransactions } from './transactions';

const STARTUP_WAIT_MS = 2_000;
/** How often a process without change streams reads the change counter (see change-counter.ts). */
export const DEFAULT_CHANGE_POLL_MS = 500;

/** What another process changed, as far as cached validations care. */
export type KeyChange =
  /** One key was created, changed or archived: drop the cached lookup of its digest. */
  | { scope: 'key'; keyId: string; digest: string | null }
  /** The settings record changed: reload settings and drop every cached lookup. */
  | { scope: 'settings' }
  /** A user, org or membership changed (or the stream restarted): drop every cached lookup. */
  | { scope: 'all' };

export interface KeyChangeWatch {
  /** False when the deployment has no change streams; see `pollMs` for what happens then. */
  readonly active: boolean;
  readonly reason: string | null;
  /**
   * Without change streams: how often the change counter is read (changes show within
   * that); null when there is no counter to read and caches expire within their TTL.
   */
  readonly pollMs: number | null;
  close(): Promise<void>;
}

/** The minimal shape of a change event this module reads. */
export interface ChangeEventLike {
  operationType: string;
  ns?: { coll?: string };
  documentKey?: { _id?: unknown };
  fullDocument?: { digest?: unknown } | null;
}

export interface WatchedCollections {
  apiKeys: string;
  settings: string;
  directory: string[];
}

export function watchedCollections(store: MongoStore): WatchedCollections {
  const { ApiKey, Settings, User, Org, Membership } = store.models;
  return {
    apiKeys: ApiKey.collection.collectionName,
    settings: Settings.collection.collectionName,
    directory: [User, Org, Membership].map((m) => m.collection.collectionName),
  };
}

/**
 * Only changes that can alter a validation. Usage flushes move `lastUsedAt` on
 * every used key every few seconds; letting those through would empty every
 * other process's cache on each flush.
 */
export function changeStreamPipeline(c: WatchedCollections): Record<string, unknown>[] {
  return [
    {
      $match: {
        $or: [
          { 'ns.coll': { $in: [c.settings, ...c.directory] } },
          { 'ns.coll': c.apiKeys, operationType: { $ne: 'update' } },
          {
            'ns.coll': c.apiKeys,
            operationType: 'update',
            'updateDescription.updatedFields.lastUsedAt': { $exists: false },
          },
          { operationType: { $in: ['invalidate', 'dropDatabase'] } },
        ],
      },
    },
  ];
}

/** Maps one change event to what a cache must forget; null when nothing. */
export function keyChangeOf(event: ChangeEventLike, c: WatchedCollections): KeyChange | null {
  const coll = event.ns?.coll;
  if (coll === c.apiKeys) {
    const id = event.documentKey?._id;
    if (typeof id !== 'string') return { scope: 'all' };
    const digest = event.fullDocument?.digest;
    return { scope: 'key', keyId: id, digest: typeof digest === 'string' ? digest : null };
  }
  if (coll === c.settings) return { scope: 'settings' };
  if (coll !== undefined && c.directory.includes(coll)) return { scope: 'all' };
  if (['invalidate', 'drop', 'dropDatabase', 'rename'].includes(event.operationType)) {
    return { scope: 'all' };
  }
  return null;
}

/**
 * Tells this process when another process changes keys, users, orgs, memberships or
 * settings. With change streams (a replica set, even a single-node one, or a sharded
 * cluster) at once; without them, by polling the change counter every `pollMs`, when the
 * store counts changes (createMongoStore's stores do there); otherwise not at all, and
 * cached validations simply expire within the cache TTL.
 */
export async function watchKeyChanges(
  store: MongoStore,
  onChange: (change: KeyChange) => void,
  onError: (err: Error) => void = () => undefined,
  options: { pollMs?: number } = {},
): Promise<KeyChangeWatch> {
  const changeStreams =
    store.options.capabilities?.changeStreams ?? (await supportsTransactions(store.connection));
  if (!changeStreams) {
    const reason = 'change streams need a replica set or sharded cluster';
    if (!store.options.countChanges) {
      return { active: false, reason, pollMs: null, close: async () => undefined };
    }
    return pollChangeCounter(store, onChange, onError, options.pollMs ?? DEFAULT_CHANGE_POLL_MS);
  }
  return watchChangeStream(store, onChange, onError);
}

/** The standalone path: reads the change counter on a timer and reports what moved. */
async function pollChangeCounter(
  store: MongoStore,
  onChange: (change: KeyChange) => void,
  onError: (err: Error) => void,
  pollMs: number,
): Promise<KeyChangeWatch> {
  let last: CounterReading | null = await store.changes.read().catch(() => null);
  let failing = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    store.changes
      .read()
      .then((now) => {
        failing = false;
        if (last === null) onChange({ scope: 'all' });
        else if (now.settings !== last.settings) onChange({ scope: 'settings' });
        else if (now.lookups !== last.lookups) onChange({ scope: 'all' });
        last = now;
      })
      .catch((err: Error) => {
        // Unknown what changed meanwhile: forget everything once it answers again.
        last = null;
        if (!failing) onError(err);
        failing = true;
      })
      .finally(() => {
        busy = false;
      });
  }, pollMs);
  timer.unref();
  return {
    active: false,
    reason: `change streams need a replica set or sharded cluster; polling the change counter every ${pollMs} ms`,
    pollMs,
    close: async () => clearInterval(timer),
  };
}

async function watchChangeStream(
  store: MongoStore,
  onChange: (change: KeyChange) => void,
  onError: (err: Error) => void,
): Promise<KeyChangeWatch> {
  const db = store.connection.db;
  if (!db) throw new Error('The MongoDB connection is not open.');
  const collections = watchedCollections(store);
  const stream = db.watch<{ digest?: unknown }>(changeStreamPipeline(collections), {
    fullDocument: 'updateLookup',
  });
  let active = true;
  stream.on('change', (event) => {
    const change = keyChangeOf(event as ChangeEventLike, collections);
    if (change) onChange(change);
  });
  // The driver resumes by itself after transient errors; an error here means the stream
  // is gone, so forget everything once and fall back to TTL expiry.
  stream.on('error', (err: Error) => {
    active = false;
    onChange({ scope: 'all' });
    onError(err);
  });
  // The stream starts with its first server response (which carries a resume token); changes
  // made before that would be missed, so wait for it, but never long.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, STARTUP_WAIT_MS);
    stream.once('resumeTokenChanged', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    get active() {
      return active;
    },
    reason: null,
    pollMs: null,
    async close() {
      active = false;
      await stream.close();
    },
  };
}
