import type { ClientSession, Connection } from 'mongoose';

/** Multi-document transactions need a replica set or a sharded cluster; a standalone mongod has none. */
export async function supportsTransactions(conn: Connection): Promise<boolean> {
  if (!conn.db) return false;
  const hello = await conn.db.admin().command({ hello: 1 });
  return typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
}

/**
 * Runs a cascade in one transaction when the deployment has them. Without
 * transactions `work` gets no session and runs step by step, so every cascade
 * is written to be safe to re-run: each step is a conditional update or a
 * delete that a second run finds already done.
 */
export async function inTransactionIfSupported<T>(
  conn: Connection,
  useTransactions: boolean,
  work: (session: ClientSession | undefined) => Promise<T>,
): Promise<T> {
  if (!useTransactions) return work(undefined);
  const session = await conn.startSession();
  try {
    // withTransaction retries `work` on transient errors, so `work` must not keep state between attempts.
    return await session.withTransaction(() => work(session));
  } finally {
    await session.endSession();
  }
}
