import type { PageSessions, SessionRecord } from '../../core/store';
import type { Models } from './models';
import { asId } from './query-values';

// Owner stamps are documents of the sessions collection under an _id no session id can
// have (express-session makes base64url ids), expiring in the year 9999.
const ownerId = (owner: string) => `owner:${owner}`;
const NEVER = 253_402_300_799;

/** Sessions of the hosted and admin pages on MongoDB; a TTL index also drops expired ones. */
export class MongoPageSessions implements PageSessions {
  constructor(private readonly models: Models) {}

  async getSession(sid: string, now: number): Promise<SessionRecord | null> {
    const _id = asId(sid);
    if (_id === null) return null;
    const doc = await this.models.Session.findOne({ _id, expiresAt: { $gt: now } }).lean();
    return doc ? { data: doc.data, expiresAt: doc.expiresAt } : null;
  }

  async setSession(sid: string, record: SessionRecord): Promise<void> {
    const _id = asId(sid);
    if (_id === null) throw new Error('A session id must be a non-empty string.');
    await this.models.Session.updateOne(
      { _id },
      {
        $set: {
          data: String(record.data),
          expiresAt: record.expiresAt,
          expireAt: new Date(record.expiresAt * 1000),
        },
      },
      { upsert: true },
    );
  }

  async destroySession(sid: string): Promise<void> {
    const _id = asId(sid);
    if (_id === null) return;
    await this.models.Session.deleteOne({ _id });
  }

  async pruneSessions(now: number): Promise<number> {
    const result = await this.models.Session.deleteMany({ expiresAt: { $lte: now } });
    return result.deletedCount;
  }

  async getOwnerStamp(owner: string): Promise<string | null> {
    const doc = await this.models.Session.findOne({ _id: ownerId(String(owner)) }).lean();
    return doc ? doc.data : null;
  }

  async setOwnerStamp(owner: string, stamp: string): Promise<void> {
    await this.setSession(ownerId(String(owner)), { data: String(stamp), expiresAt: NEVER });
  }
}
