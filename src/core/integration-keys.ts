import { LRUCache } from 'lru-cache';
import { audit, type Actor, type Core } from './context';
import { LatchkeyError } from './errors';
import { parseInput } from './inputs';
import { nowSeconds } from './time';
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
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
});

/** How often a key's last-used time is written: once a minute is plenty for a dashboard. */
const TOUCH_INTERVAL_SECONDS = 60;

export class IntegrationKeys {
  /** digest → key (or null for unknown digests), reused for `ttlMs`. */
  private readonly cache: LRUCache<string, { key: IntegrationKey | null }> | null;

  constructor(
    private readonly core: Core,
    ttlMs: number,
  ) {
    this.cache = ttlMs > 0 ? new LRUCache({ max: 1000, ttl: ttlMs }) : null;
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

  /** Archives a key: it stops authenticating at once in this process. */
  async archive(id: unknown, by?: Actor): Promise<IntegrationKeyView> {
    const archived =
      typeof id === 'string' ? await this.core.store.archiveIntegrationKey(id, nowSeconds()) : null;
    if (!archived) throw LatchkeyError.notFound('Integration key');
    this.cache?.clear();
    await audit(this.core, by, 'integration_key.archived', 'settings', archived.id, {
      name: archived.name,
    });
    return viewOf(archived);
  }

  /** The active key a raw credential (with or without "Bearer ") belongs to, else null. */
  async authenticate(raw: unknown): Promise<IntegrationKeyView | null> {
    const token = parseToken(raw);
    if (token === null || !token.startsWith(`${INTEGRATION_KEY_PREFIX}_`)) return null;
    const digest = digestToken(token);
    let entry = this.cache?.get(digest);
    if (!entry) {
      entry = { key: await this.core.store.findIntegrationKeyByDigest(digest) };
      this.cache?.set(digest, entry);
    }
    const key = entry.key;
    if (!key || key.archivedAt !== null) return null;
    const now = nowSeconds();
    if (key.lastUsedAt === null || now - key.lastUsedAt >= TOUCH_INTERVAL_SECONDS) {
      key.lastUsedAt = now;
      // Bookkeeping only: a failed write must not fail the request it rides on.
      this.core.store.touchIntegrationKey(key.id, now).catch((err: unknown) => {
        this.core.logger.warn({ err }, 'recording integration key use failed');
      });
    }
    return viewOf(key);
  }
}
