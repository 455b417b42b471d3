/** Sessions of the hosted and admin pages; `data` is express-session's JSON. */
export interface SessionRecord {
  data: string;
  expiresAt: number;
}

/** Sessions of the hosted and admin pages, for express-session's store. */
export interface PageSessions {
  // Page sessions
  getSession(sid: string, now: number): Promise<SessionRecord | null>;
  setSession(sid: string, record: SessionRecord): Promise<void>;
  destroySession(sid: string): Promise<void>;
  pruneSessions(now: number): Promise<number>;

  // Session owners
  /**
   * The sign-in stamp of a session owner (`user:<id>` or `admin:<id>`), or null while
   * it has none. A page session keeps the stamp its owner had at sign-in and is refused
   * once they differ, so a new stamp ends every session of that owner, in every process.
   * Stamps are never pruned.
   */
  getOwnerStamp(owner: string): Promise<string | null>;
  setOwnerStamp(owner: string, stamp: string): Promise<void>;
}
