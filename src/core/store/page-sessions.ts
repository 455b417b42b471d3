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
}
