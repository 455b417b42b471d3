import type { JsonObject } from './types';

/**
 * The events a key's life raises for subscribers outside Latchkey (webhooks):
 * `api_key.leaked` when a key is reported as leaked, `api_key.expiring` when an expiry
 * reminder goes out. Every place that raises one calls keyEvent(), the one seam where
 * delivery is attached.
 */
export type KeyEventName = 'api_key.leaked' | 'api_key.expiring';

export type KeyEventListener = (name: KeyEventName, data: JsonObject) => void;

/** Delivers a key event to the listener; a failing listener never fails the caller. */
export function keyEvent(
  listener: KeyEventListener | undefined,
  name: KeyEventName,
  data: JsonObject,
): void {
  try {
    listener?.(name, data);
  } catch {
    // Delivery is the listener's concern (an outbox retries); the key's change stands.
  }
}
