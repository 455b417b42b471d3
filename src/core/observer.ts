import type { KeyKind } from './types';
import type { FailureReason } from './validation-result';

/** What a validation came to: `valid` or the reason it failed. */
export type ValidationOutcome = 'valid' | FailureReason;
/** The key's kind when it passed; otherwise the kind asked for (`any` when none was). */
export type ObservedKind = KeyKind | 'any';
/** Store operations whose failures are counted where they surface. */
export type StoreOperation = 'validate' | 'usage_flush' | 'readiness' | 'retention' | 'stats';

/**
 * Hears what the validation path does, for metrics. Every method is optional; the core
 * calls them through `Observers`, which does nothing (and measures nothing) while empty.
 * Labels it passes are from fixed sets: never a key id, user id, token or email.
 */
export interface ValidationObserver {
  /** One verdict, with the seconds it took in this process (store reads included). */
  onValidation?(outcome: ValidationOutcome, kind: ObservedKind, seconds: number): void;
  onCacheLookup?(hit: boolean): void;
  onCacheEviction?(): void;
  /** The invalid-key brake refused an address before any store read. */
  onInvalidKeyBrake?(): void;
  onStoreError?(operation: StoreOperation): void;
  onSignInFailure?(area: 'pages' | 'admin'): void;
}

/** The observers attached to one Latchkey; `active` is false while there are none. */
export class Observers implements Required<ValidationObserver> {
  private list: ValidationObserver[] = [];
  /** Read on the hot path before taking a clock reading: false costs one property load. */
  active = false;

  add(observer: ValidationObserver): () => void {
    this.list = [...this.list, observer];
    this.active = true;
    return () => {
      this.list = this.list.filter((o) => o !== observer);
      this.active = this.list.length > 0;
    };
  }

  onValidation(outcome: ValidationOutcome, kind: ObservedKind, seconds: number): void {
    for (const o of this.list) o.onValidation?.(outcome, kind, seconds);
  }

  onCacheLookup(hit: boolean): void {
    for (const o of this.list) o.onCacheLookup?.(hit);
  }

  onCacheEviction(): void {
    for (const o of this.list) o.onCacheEviction?.();
  }

  onInvalidKeyBrake(): void {
    for (const o of this.list) o.onInvalidKeyBrake?.();
  }

  onStoreError(operation: StoreOperation): void {
    for (const o of this.list) o.onStoreError?.(operation);
  }

  onSignInFailure(area: 'pages' | 'admin'): void {
    for (const o of this.list) o.onSignInFailure?.(area);
  }
}

/** The outcome and kind labels of a verdict. */
export function labelsOf(
  result: { valid: true; apiKey: { kind: KeyKind } } | { valid: false; reason: FailureReason },
  expected: KeyKind | undefined,
): [ValidationOutcome, ObservedKind] {
  return result.valid ? ['valid', result.apiKey.kind] : [result.reason, expected ?? 'any'];
}

/** Seconds on a monotonic clock, for latency. */
export const monotonicSeconds = (): number => performance.now() / 1000;
