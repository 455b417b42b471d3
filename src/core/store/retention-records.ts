/**
 * Housekeeping: the retention deletes, each a small batch so it never holds the database
 * for long, and the table sizes the dashboard shows.
 */
export interface RetentionRecords {
  /** Deletes up to `limit` keys archived before `archivedBefore`; answers how many went. */
  deleteArchivedKeys(archivedBefore: number, limit: number): Promise<number>;
  /** Deletes up to `limit` usage rows of UTC days before `beforeDay`; answers how many went. */
  deleteUsageBefore(beforeDay: string, limit: number): Promise<number>;
  /** Deletes up to `limit` audit events older than `before`; answers how many went. */
  deleteAuditBefore(before: number, limit: number): Promise<number>;
  /**
   * Deletes up to `limit` outbox events fanned out before `before` (their deliveries keep
   * what was sent); events not fanned out yet stay. Answers how many went.
   */
  deleteDispatchedEventsBefore(before: number, limit: number): Promise<number>;
  /**
   * Deletes up to `limit` deliveries that are done (delivered or failed) whose last attempt
   * was before `before`; pending ones stay. Answers how many went.
   */
  deleteFinishedDeliveriesBefore(before: number, limit: number): Promise<number>;
  /**
   * Deletes up to `limit` expiry reminder claims for expiries before `expiredBefore`,
   * whether or not the key is still there. Answers how many went.
   */
  deleteExpiryClaimsBefore(expiredBefore: number, limit: number): Promise<number>;
  /** Rows (documents) per table (collection). */
  tableSizes(): Promise<Record<string, number>>;
}
