import type { KeyForValidation, KeyToValidate, Store } from './store';
import { LookupCache } from './lookup-cache';
import { NOT_FOUND, resolveLookup, type Resolved } from './resolved-lookup';
import { lacksScopes, refusalOf, type ValidationRequest } from './key-policies';
import { ScopeCatalog } from './scopes';
import type { RateLimitRefusal, ValidationRateLimits } from './rate-limits';
import type { Observers } from './observer';
import { QuotaLeases } from './quota-leases';
import { secondsOf } from './time';
import { digestToken, parseImportedToken, parseToken } from './token';
import { StrictConsistency, type Consistency } from './strict-consistency';
import type { KeyKind, Settings } from './types';
import type { UsageBuffer } from './usage-buffer';
import { failure, rateLimited, type Validation } from './validation-result';

export interface ValidatorOptions {
  /** How long a lookup is reused; 0 turns the cache off. */
  cacheTtlMs: number;
  cacheMaxEntries: number;
  /** Validation allowances per key, user and org; none when omitted. */
  rateLimits?: ValidationRateLimits;
  /** Uses of a key's quota taken from the store at once (see QuotaLeases). */
  quotaLeaseSize?: number;
  /** Hears cache hits, misses and evictions (for metrics). */
  observer?: Pick<Observers, 'active' | 'onCacheLookup' | 'onCacheEviction'>;
  /** See strict-consistency.ts; bounded when omitted. */
  consistency?: Consistency;
  /** Re-reads the settings; strict mode does when the store's revision moved. */
  reloadSettings?: () => Promise<unknown>;
  /** The product's scopes, for the default set of keys stored without their own. */
  scopes?: ScopeCatalog;
}

export class Validator {
  /** By digest; freshness is judged with the clock reading judging needs anyway. */
  private readonly cache: LookupCache<Resolved> | null;
  /** Strict mode's check before each validation; null in bounded mode. */
  private readonly strict: StrictConsistency | null;
  private readonly rateLimits: ValidationRateLimits | null;
  /** Lookups running per digest, so a forget can tell whether it overlaps one. */
  private readonly loading = new Map<string, number>();
  /** Bumped when a change overlaps running lookups: those answer once and are not cached. */
  private changes = 0;
  /** The store reads synchronously (SQLite): a lookup then needs no promise. */
  private readonly readsNow: boolean;
  private readonly observer: ValidatorOptions['observer'] | null;
  private readonly scopes: ScopeCatalog;
  /** This process's share of key quotas. */
  readonly quotas: QuotaLeases;

  constructor(
    private readonly store: Store,
    /** The current settings (kept in memory, re-read on a timer). */
    private readonly settings: () => Settings,
    private readonly usage: UsageBuffer,
    options: ValidatorOptions,
  ) {
    const observer = (this.observer = options.observer ?? null);
    this.strict =
      options.consistency === 'strict'
        ? new StrictConsistency(
            store.validationRevisionSync ? () => store.validationRevisionSync!() : null,
            options.reloadSettings ?? (() => Promise.resolve()),
            () => this.forgetAll(),
          )
        : null;
    const caches = options.cacheTtlMs > 0 && (this.strict?.cachesLookups ?? true);
    this.cache = caches
      ? new LookupCache(
          options.cacheMaxEntries,
          options.cacheTtlMs,
          undefined,
          observer ? () => observer.onCacheEviction() : undefined,
        )
      : null;
    this.rateLimits = options.rateLimits ?? null;
    this.readsNow = typeof store.findKeyForValidationSync === 'function';
    this.scopes = options.scopes ?? new ScopeCatalog();
    this.quotas = new QuotaLeases(store, options.quotaLeaseSize);
  }

  /** Validates a native token: malformed or mistyped tokens fail before any store read. */
  async validate(
    raw: unknown,
    expected?: KeyKind,
    request?: ValidationRequest,
  ): Promise<Validation> {
    return this.validateInline(raw, expected, request);
  }

  /**
   * Same verdict as validate(), but returned as is when nothing it needs waits on I/O (a
   * malformed token, a cached lookup, a read from a store that answers synchronously, a
   * rate-limit count kept in this process), so middleware can answer in the same tick
   * without allocating promises on the hot path.
   */
  validateInline(
    raw: unknown,
    expected?: KeyKind,
    request?: ValidationRequest,
  ): Validation | Promise<Validation> {
    const token = parseToken(raw);
    if (token === null) return failure('malformed');
    return this.check(token, expected, false, request);
  }

  /**
   * The verdict on a key this process already knows to be valid (a cached passing lookup,
   * judged now), or null when answering would need a store read or the key is not known to
   * pass. Lets the middleware serve a known key to an address the invalid-key guard is
   * holding back, without reading the store for the guesses it holds back.
   */
  knownValid(
    raw: unknown,
    expected?: KeyKind,
    allowImported = false,
    request?: ValidationRequest,
  ): Validation | Promise<Validation> | null {
    const cache = this.cache;
    if (!cache || typeof raw !== 'string') return null;
    const waiting = this.strict?.check();
    if (waiting) {
      // Answering would wait on the store; the caller validates as usual (and waits then).
      waiting.catch(() => undefined);
      return null;
    }
    const token = parseToken(raw) ?? (allowImported ? parseImportedToken(raw) : null);
    if (token === null) return null;
    const nowMs = Date.now();
    const cached = cache.get(digestToken(token), nowMs);
    const key = cached?.passed && !cached.ownerFailure ? cached.key : null;
    if (!cached || !key || (key.imported && !allowImported)) return null;
    return this.judge(cached, expected, key.imported, request, nowMs);
  }

  /** Validates a key imported from another system; its token has no checksum to check. */
  async validateImported(
    raw: unknown,
    expected?: KeyKind,
    request?: ValidationRequest,
  ): Promise<Validation> {
    const token = parseImportedToken(raw);
    if (token === null) return failure('malformed');
    return this.check(token, expected, true, request);
  }

  /** Drops one cached lookup (after the key changed). */
  forget(digest: string): void {
    if (this.loading.has(digest)) this.changes++;
    this.cache?.delete(digest);
  }

  /** Drops every cached lookup (after a user, org, membership or settings change). */
  forgetAll(): void {
    this.changes++;
    this.cache?.clear();
  }

  /** In strict mode, first makes sure nothing held in this process is older than the store. */
  private check(
    token: string,
    expected: KeyKind | undefined,
    imported: boolean,
    request: ValidationRequest | undefined,
  ): Validation | Promise<Validation> {
    const waiting = this.strict?.check();
    if (waiting) return waiting.then(() => this.lookUp(token, expected, imported, request));
    return this.lookUp(token, expected, imported, request);
  }

  /**
   * Judges a cached lookup in the same tick; otherwise looks the digest up first, also in
   * the same tick when the store reads synchronously.
   */
  private lookUp(
    token: string,
    expected: KeyKind | undefined,
    imported: boolean,
    request: ValidationRequest | undefined,
  ): Validation | Promise<Validation> {
    const cache = this.cache;
    // One clock reading serves the cache's freshness and the expiry check.
    const nowMs = Date.now();
    const digest = digestToken(token);
    if (!cache) {
      if (this.readsNow)
        return this.judge(this.readNow(digest), expected, imported, request, nowMs);
      return this.load(digest).then((r) => this.judge(r, expected, imported, request));
    }
    const cached = cache.get(digest, nowMs);
    if (this.observer?.active) this.observer.onCacheLookup(cached !== undefined);
    if (cached) return this.judge(cached, expected, imported, request, nowMs);
    if (this.readsNow) {
      // Nothing can run between this read and the cache write: no change can overlap it.
      const r = this.readNow(digest);
      cache.set(digest, r, nowMs, r.key !== null);
      return this.judge(r, expected, imported, request, nowMs);
    }
    return this.lookup(cache, digest, nowMs).then((r) =>
      this.judge(r, expected, imported, request),
    );
  }

  /** Loads a digest and caches what it found, unless a change overlapped the load. */
  private async lookup(
    cache: LookupCache<Resolved>,
    digest: string,
    startedAt: number,
  ): Promise<Resolved> {
    const changesBefore = this.changes;
    this.loading.set(digest, (this.loading.get(digest) ?? 0) + 1);
    let resolved: Resolved;
    try {
      resolved = await this.load(digest);
    } finally {
      const running = (this.loading.get(digest) ?? 1) - 1;
      if (running > 0) this.loading.set(digest, running);
      else this.loading.delete(digest);
    }
    // A revoke acknowledged while this lookup ran may have made it stale: answer once, keep nothing.
    if (changesBefore === this.changes)
      cache.set(digest, resolved, startedAt, resolved.key !== null);
    return resolved;
  }

  private judge(
    r: Resolved,
    expected: KeyKind | undefined,
    imported: boolean,
    request: ValidationRequest | undefined,
    nowMs = Date.now(),
  ): Validation | Promise<Validation> {
    const { key, passed } = r;
    if (!key || key.imported !== imported) return failure('not_found');
    if (key.archivedAt !== null) return failure('archived');
    const now = secondsOf(nowMs);
    if (key.expiresAt !== null && key.expiresAt <= now) return failure('expired');
    const settings = this.settings();
    if (key.kind === 'personal' && !settings.personalKeysEnabled) return failure('kind_disabled');
    if (key.kind === 'org' && !settings.orgKeysEnabled) return failure('kind_disabled');
    if (r.ownerFailure || !passed) return failure(r.ownerFailure ?? 'not_found');
    if (expected && key.kind !== expected) return failure('wrong_kind');
    const refusal = r.policy === null ? null : refusalOf(r.policy, request);
    if (refusal !== null) return failure(refusal);
    // A key the route will refuse for its scopes spends nothing.
    if (lacksScopes(passed, request?.requiredScopes)) return passed;
    const cost = request?.cost ?? 1;
    if (!this.rateLimits?.appliesTo(key, settings)) return this.pass(key, passed, nowMs, cost);
    const wait = this.rateLimits.consume(key, settings, nowMs);
    if (wait instanceof Promise) return wait.then((w) => this.counted(key, passed, nowMs, cost, w));
    return this.counted(key, passed, nowMs, cost, wait);
  }

  /** The verdict once the rate limits have counted this validation. */
  private counted(
    key: KeyToValidate,
    passed: Validation,
    nowMs: number,
    cost: number,
    refusal: RateLimitRefusal | null,
  ): Validation | Promise<Validation> {
    return refusal === null
      ? this.pass(key, passed, nowMs, cost)
      : rateLimited(refusal.allowance, refusal.waitSeconds);
  }

  private pass(
    key: KeyToValidate,
    passed: Validation,
    nowMs: number,
    cost: number,
  ): Validation | Promise<Validation> {
    if (key.remaining === undefined) return this.recorded(key, passed, nowMs);
    return this.quotas.admit(key.id, cost, nowMs, () => this.recorded(key, passed, nowMs));
  }

  private recorded(key: KeyToValidate, passed: Validation, nowMs: number): Validation {
    this.usage.record(key.id, secondsOf(nowMs));
    return passed;
  }

  private async load(digest: string): Promise<Resolved> {
    return this.resolveFound(await this.store.findKeyForValidation(digest));
  }
  private readNow(digest: string): Resolved {
    return this.resolveFound(this.store.findKeyForValidationSync!(digest));
  }
  private resolveFound(found: KeyForValidation | null): Resolved {
    return found ? resolveLookup(found, this.settings(), this.scopes) : NOT_FOUND;
  }
}
