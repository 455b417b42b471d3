import type { MongoStore } from './mongo-store';
import { supportsTransactions } from './transactions';

const STARTUP_WAIT_MS = 2_000;

/** What another process changed, as far as cached validations care. */
export type KeyChange =
  /** One key was created, changed or archived: drop the cached lookup of its digest. */
  | { scope: 'key'; keyId: string; digest: string | null }
  /** The settings record changed: reload settings and drop every cached lookup. */
  | { scope: 'settings' }
  /** A user, org or membership changed (or the stream restarted): drop every cached lookup. */
  | { scope: 'all' };

export interface KeyChangeWatch {
  /** False when the deployment has no change streams; caches then expire within their TTL. */
  readonly active: boolean;
  readonly reason: string | null;
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
 * Tells this process at once when another process changes keys, users, orgs,
 * memberships or settings, using a MongoDB change stream. Change streams need a
 * replica set (a single-node one is enough) or a sharded cluster; on a
 * standalone server this returns an inactive watch and cached validations
 * simply expire within the cache TTL.
 */
export async function watchKeyChanges(
  store: MongoStore,
  onChange: (change: KeyChange) => void,
  onError: (err: Error) => void = () => undefined,
): Promise<KeyChangeWatch> {
  if (!(await supportsTransactions(store.connection))) {
    return {
      active: false,
      reason: 'change streams need a replica set or sharded cluster',
      close: async () => undefined,
    };
  }
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
    async close() {
      active = false;
      await stream.close();
    },
  };
}
