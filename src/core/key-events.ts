import type { JsonObject } from './types';

/**
 * The key events a host can hear as they happen (createLatchkey's `onKeyEvent`):
 * `api_key.leaked` when a key is reported as leaked, `api_key.expiring` when a key comes
 * within an expiry reminder's threshold, `api_key.expired` when its expiry passes. The
 * core writes each to the webhook outbox itself; the listener is the host's own extra ear.
 */
export type KeyEventName = 'api_key.leaked' | 'api_key.expiring' | 'api_key.expired';

export type KeyEventListener = (name: KeyEventName, data: JsonObject) => void;

/** Tells the listener of a key event; a failing listener never fails the caller. */
export function tellListener(
  listener: KeyEventListener | undefined,
  name: KeyEventName,
  data: JsonObject,
): void {
  try {
    listener?.(name, data);
  } catch {
    // The host's listener is its own concern; the key's change stands.
  }
}
