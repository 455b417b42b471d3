import type { KeyRecords, UseLease } from './store';
import { secondsOf } from './time';
import { failure, type Validation } from './validation-result';

/** Uses this process holds of one key's quota. */
interface Held {
  uses: number;
  /** The refill period they belong to (null: the quota does not refill). */
  period: number | null;
  /** When they stop counting: the next refill (ms); Infinity without one. */
  validUntilMs: number;
  nextRefillAt: number | null;
  /** Known too low for `refusedCost` until then (ms): such refusals need no store write. */
  emptyUntilMs: number;
  refusedCost: number;
}

/** A refused use: seconds until the next refill, when there is one. */
export interface QuotaRefusal {
  retryAfterSeconds: number | undefined;
}

/** How many uses a process takes from the store at once, unless told otherwise. */
export const DEFAULT_QUOTA_LEASE_SIZE = 10;

/** How long a process trusts that an empty quota stays empty (another may refill or change it). */
const EMPTY_RECHECK_MS = 1000;

/**
 * A process's share of key quotas. Rather than write to the store on every validation,
 * it leases a block of uses with one atomic conditional update and spends them in memory,
 * so processes sharing a store never spend more than the quota between them. Uses still
 * held are given back by close(); those of a process that dies are lost until the next
 * refill (docs/library.md, "Usage quotas").
 */
export class QuotaLeases {
  private readonly held = new Map<string, Held>();
  private readonly leasing = new Set<Promise<unknown>>();

  constructor(
    private readonly store: Pick<KeyRecords, 'leaseUses' | 'returnUses'>,
    private readonly leaseSize = DEFAULT_QUOTA_LEASE_SIZE,
  ) {}

  /** `pass()` when `cost` uses of the key's quota were spent, else a usage_exceeded failure. */
  admit(
    keyId: string,
    cost: number,
    nowMs: number,
    pass: () => Validation,
  ): Validation | Promise<Validation> {
    const verdict = (refusal: QuotaRefusal | null): Validation =>
      refusal ? failure('usage_exceeded', refusal.retryAfterSeconds) : pass();
    const spent = this.spend(keyId, cost, nowMs);
    return spent instanceof Promise ? spent.then(verdict) : verdict(spent);
  }

  /** Spends `cost` uses of the key's quota: null when spent, else the refusal. */
  spend(
    keyId: string,
    cost: number,
    nowMs: number,
  ): QuotaRefusal | null | Promise<QuotaRefusal | null> {
    const held = this.current(keyId, nowMs);
    if (held && held.uses >= cost) {
      held.uses -= cost;
      return null;
    }
    if (held && held.emptyUntilMs > nowMs && cost >= held.refusedCost) return refusal(held, nowMs);
    const leased = this.lease(keyId, cost, nowMs);
    this.leasing.add(leased);
    const done = () => void this.leasing.delete(leased);
    // Both ways: a failed lease is the caller's to handle (503), not an unhandled rejection here.
    leased.then(done, done);
    return leased;
  }

  /** Drops what this process holds of a key whose quota was changed or removed. */
  forget(keyId: string): void {
    this.held.delete(keyId);
  }

  /** Gives every unspent use back to the store. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.leasing]);
    const held = [...this.held.entries()];
    this.held.clear();
    const nowMs = Date.now();
    await Promise.all(
      held
        .filter(([, h]) => h.uses > 0 && h.validUntilMs > nowMs)
        .map(([keyId, h]) => this.store.returnUses(keyId, h.uses, h.period)),
    );
  }

  /** What this process holds of the key, dropped once a refill has replaced it. */
  private current(keyId: string, nowMs: number): Held | undefined {
    const held = this.held.get(keyId);
    if (held && held.validUntilMs <= nowMs) {
      this.held.delete(keyId);
      return undefined;
    }
    return held;
  }

  private async lease(keyId: string, cost: number, nowMs: number): Promise<QuotaRefusal | null> {
    const before = this.current(keyId, nowMs)?.uses ?? 0;
    const need = Math.max(1, cost - before);
    const got = await this.store.leaseUses(
      keyId,
      need,
      Math.max(need, this.leaseSize),
      secondsOf(nowMs),
    );
    // The key has no quota (any more): nothing to spend.
    if (got === null) return null;
    const held = this.merge(keyId, got, nowMs);
    if (held.uses >= cost) {
      held.uses -= cost;
      return null;
    }
    held.emptyUntilMs = Math.min(nowMs + EMPTY_RECHECK_MS, held.validUntilMs);
    held.refusedCost = cost;
    return refusal(held, nowMs);
  }

  /** Adds leased uses to those held for the same period; those of an older period are dropped. */
  private merge(keyId: string, got: UseLease, nowMs: number): Held {
    const validUntilMs = got.nextRefillAt === null ? Infinity : got.nextRefillAt * 1000;
    let held = this.current(keyId, nowMs);
    if (!held || held.period !== got.period) {
      held = {
        uses: 0,
        period: got.period,
        validUntilMs,
        nextRefillAt: got.nextRefillAt,
        emptyUntilMs: 0,
        refusedCost: 0,
      };
      this.held.set(keyId, held);
    }
    held.uses += got.granted;
    if (got.granted > 0) held.emptyUntilMs = 0;
    return held;
  }
}

function refusal(held: Held, nowMs: number): QuotaRefusal {
  return {
    retryAfterSeconds:
      held.nextRefillAt === null ? undefined : Math.max(1, held.nextRefillAt - secondsOf(nowMs)),
  };
}
