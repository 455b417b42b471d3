import type { Request } from 'express';

const HOLD_MS = 60_000;
const MAX_HELD = 10_000;

/**
 * A token just created, held in this process's memory (never in the session record,
 * which is stored in the database) until the session's next page shows it once. It
 * is dropped after a minute if that page is never loaded. With several processes,
 * the redirect after creating must reach the same process (sticky sessions) to show it.
 */
export class OneTimeSecrets<T> {
  private readonly held = new Map<string, { value: T; until: number }>();

  hold(req: Request, value: T): void {
    const now = Date.now();
    for (const [sid, entry] of this.held) if (entry.until <= now) this.held.delete(sid);
    // Map order is insertion order: past the cap, the oldest goes first.
    if (this.held.size >= MAX_HELD) this.held.delete(this.held.keys().next().value!);
    this.held.delete(req.sessionID);
    this.held.set(req.sessionID, { value, until: now + HOLD_MS });
  }

  /** The value held for this session if `wanted` accepts it; it is then forgotten. */
  take(req: Request, wanted: (value: T) => boolean = () => true): T | null {
    const entry = this.held.get(req.sessionID);
    if (!entry) return null;
    if (entry.until <= Date.now()) {
      this.held.delete(req.sessionID);
      return null;
    }
    if (!wanted(entry.value)) return null;
    this.held.delete(req.sessionID);
    return entry.value;
  }
}
