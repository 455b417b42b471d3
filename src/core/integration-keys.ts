import { audit, type Actor, type Core } from './context';
import { LatchkeyError } from './errors';
import { FreshCache } from './fresh-cache';
import { parseInput, requiredName } from './inputs';
import { nowSeconds, secondsOf } from './time';
import { digestToken, generateToken, newKeyId, parseToken, tokenHint } from './token';
import type { IntegrationKey } from './types';
import { z } from 'zod';

/**
 * Integration keys authenticate other backends to the REST API. Same token
 * format as API keys (prefix, 256 random bits, checksum) with a fixed `lki`
 * prefix so scanners and people can tell the two apart; only the digest is kept.
 */
export const INTEGRATION_KEY_PREFIX = 'lki';

export type IntegrationKeyView = Omit<IntegrationKey, 'digest'>;

export interface CreatedIntegrationKey {
  /** Shown once; only its digest is stored. */
  token: string;
  key: IntegrationKeyView;
}

const viewOf = ({ digest: _digest, ...view }: IntegrationKey): IntegrationKeyView => view;

const nameInput = z.object({
  name: requiredName(100),
});

/**
 * Longest a lookup is reused, whatever the validation cache's TTL: another process (the
 * CLI, a second server) may archive a key, and this bounds how long it still works here.
 * One store read per key per second is nothing next to the requests it admits.
 */
export const INTEGRATION_KEY_CACHE_MAX_MS = 1_000;

/** How often a key's last-used time is written: once a minute is plenty for a dashboard. */
const TOUCH_INTERVAL_SECONDS = 60;

/** What one store lookup learned about a digest; `view` is handed out while the entry is cached. */
interface Lookup {
  key: IntegrationKey | null;
  view: IntegrationKeyView | null;
}

const lookupOf = (key: IntegrationKey | null): Lookup => ({
  key,
  view: key ? Object.freeze(viewOf(key)) : null,
});

export class IntegrationKeys {
  /**
   * A key's digest → what the store said about it (including "unknown"), reused for
   * `ttlMs`; freshness is judged with the clock reading admit() needs anyway.
   */
  private readonly cache: FreshCache<Lookup> | null;
  /** Bumped by every archive: a lookup that overlaps one answers once and is not cached. */
  private archives = 0;

  constructor(
    private readonly core: Core,
    ttlMs: number,
  ) {
    const reuseMs = Math.min(ttlMs, INTEGRATION_KEY_CACHE_MAX_MS);
    this.cache = reuseMs > 0 ? new FreshCache(1000, reuseMs) : null;
  }

  async create(name: unknown, by?: Actor): Promise<CreatedIntegrationKey> {
    const { name: validName } = parseInput(nameInput, { name });
    const token = generateToken(INTEGRATION_KEY_PREFIX);
    const key: IntegrationKey = {
      id: newKeyId(),
      digest: digestToken(token),
      name: validName,
      hint: tokenHint(token),
      createdAt: nowSeconds(),
      lastUsedAt: null,
      archivedAt: null,
    };
    await this.core.store.insertIntegrationKey(key);
    await audit(this.core, by, 'integration_key.created', 'settings', key.id, { name: key.name });
    return { token, key: viewOf(key) };
  }

  async list(): Promise<IntegrationKeyView[]> {
    return (await this.core.store.listIntegrationKeys()).map(viewOf);
  }

  /**
   * Archives a key: it stops authenticating at once in this process, and within
   * INTEGRATION_KEY_CACHE_MAX_MS in other processes on the same store.
   */
  async archive(id: unknown, by?: Actor): Promise<IntegrationKeyView> {
    const archived =
      typeof id === 'string' ? await this.core.store.archiveIntegrationKey(id, nowSeconds()) : null;
    if (!archived)
      throw LatchkeyError.fieldNotFound(
        'integrationKeyId',
        'no active integration key has this id',
      );
    this.archives++;
    this.cache?.clear();
    await audit(this.core, by, 'integration_key.archived', 'settings', archived.id, {
      name: archived.name,
    });
    return viewOf(archived);
  }

  /** The active key a raw credential (with or without "Bearer ") belongs to, else null. */
  async authenticate(raw: unknown): Promise<IntegrationKeyView | null> {
    return this.authenticateInline(raw);
  }

  /**
   * Same answer as authenticate(), returned as is when it needs no store read (a
   * malformed credential, a cached lookup), so the backend API admits a known caller
   * in the same tick, without a promise.
   */
  authenticateInline(raw: unknown): IntegrationKeyView | null | Promise<IntegrationKeyView | null> {
    const token = parseToken(raw);
    if (token === null || !token.startsWith(`${INTEGRATION_KEY_PREFIX}_`)) return null;
    const digest = digestToken(token);
    const nowMs = Date.now();
    const cached = this.cache?.get(digest, nowMs);
    if (cached) return this.admit(cached, nowMs);
    const archivesBefore = this.archives;
    return this.core.store.findIntegrationKeyByDigest(digest).then((key) => {
      const loaded = lookupOf(key);
      // An archive acknowledged while this read ran may have made it stale: use it once, keep nothing.
      if (archivesBefore === this.archives) this.cache?.set(digest, loaded, nowMs);
      return this.admit(loaded, Date.now());
    });
  }

  private admit(lookup: Lookup, nowMs: number): IntegrationKeyView | null {
    const key = lookup.key;
    if (!key || key.archivedAt !== null) return null;
    const now = secondsOf(nowMs);
    if (key.lastUsedAt === null || now - key.lastUsedAt >= TOUCH_INTERVAL_SECONDS) {
      key.lastUsedAt = now;
      lookup.view = Object.freeze(viewOf(key));
      // Bookkeeping only: a failed write must not fail the request it rides on.
      this.core.store.touchIntegrationKey(key.id, now).catch((err: unknown) => {
        this.core.logger.warn({ err }, 'recording integration key use failed');
      });
    }
    return lookup.view;
  }
}
