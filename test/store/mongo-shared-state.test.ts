import { mongoRateLimits } from '../../src/store/shared-rate-limits';
import type { MongoStore } from '../../src/store/mongo';
import { createMongoStore } from '../../src/store/mongo';
import { freshStore, mongoTarget } from './mongo-target';

/**
 * What several Latchkey processes on one MongoDB share besides the records: rate-limit
 * counts and page sessions. Two connections stand for two processes.
 */
const target = mongoTarget();

if (target.kind !== 'uri') {
  describe('MongoDB shared state', () => {
    it.skip('is skipped because MONGODB_URI is not set (npm run test:mongo sets it)', () => {});
  });
} else {
  describe('MongoDB shared state (MONGODB_URI)', () => {
    let a: MongoStore;
    let b: MongoStore;
    beforeEach(async () => {
      a = await freshStore(target.uri);
      b = await createMongoStore({ uri: target.uri, dbName: a.connection.name });
    });
    afterEach(async () => {
      await b.close();
      await a.close();
    });

    it('counts one rate limit once for both processes, and refuses past it in either', async () => {
      const allowance = { limit: 5, periodSeconds: 60 };
      const inA = mongoRateLimits(a.connection).limiter('key', allowance);
      const inB = mongoRateLimits(b.connection).limiter('key', allowance);
      const answers: (number | null)[] = [];
      for (let i = 0; i < 3; i++) answers.push(await inA.consume('k1'));
      for (let i = 0; i < 2; i++) answers.push(await inB.consume('k1'));
      expect(answers).toEqual([null, null, null, null, null]);
      expect(await inA.consume('k1')).toBeGreaterThan(0);
      expect(await inB.consume('k1')).toBeGreaterThan(0);
      expect(await inB.consume('another key')).toBeNull();
    });

    it('keeps concurrent counts from both processes exactly where updates are atomic', async () => {
      const allowance = { limit: 40, periodSeconds: 60 };
      const inA = mongoRateLimits(a.connection).limiter('user', allowance);
      const inB = mongoRateLimits(b.connection).limiter('user', allowance);
      // One count first, so the concurrent ones all update one existing document.
      expect(await inA.consume('u1')).toBeNull();
      const all = await Promise.all(
        Array.from({ length: 49 }, (_, i) => (i % 2 ? inA : inB).consume('u1')),
      );
      const allowed = all.filter((w) => w === null).length + 1;
      if (a.options.capabilities?.atomicUpdates) {
        expect(allowed).toBe(40);
        expect(await inA.consume('u1')).toBeGreaterThan(0);
      } else {
        // FerretDB 1.x: lost increments let some extra through (see docs/mongodb.md).
        console.log(
          `Concurrent rate-limit counts without atomic updates: ${allowed} of 50 let through, limit 40`,
        );
        expect(allowed).toBeGreaterThanOrEqual(40);
      }
    });

    it('reports whether concurrent updates are atomic, as found at connect time', async () => {
      expect(typeof a.options.capabilities?.atomicUpdates).toBe('boolean');
      expect(b.options.capabilities?.atomicUpdates).toBe(a.options.capabilities?.atomicUpdates);
    });

    it('hands a page session written by one process to the other, until it expires', async () => {
      const now = Math.floor(Date.now() / 1000);
      await a.setSession('sid-1', { data: '{"userId":"u1"}', expiresAt: now + 60 });
      expect(await b.getSession('sid-1', now)).toEqual({
        data: '{"userId":"u1"}',
        expiresAt: now + 60,
      });
      expect(await b.getSession('sid-1', now + 61)).toBeNull();
      await b.destroySession('sid-1');
      expect(await a.getSession('sid-1', now)).toBeNull();
    });

    it('sweeps expired sessions where the server has no TTL index for them', async () => {
      const now = Math.floor(Date.now() / 1000);
      await a.setSession('old', { data: '{}', expiresAt: now - 1 });
      await a.setSession('new', { data: '{}', expiresAt: now + 60 });
      expect(await b.pruneSessions(now)).toBe(1);
      expect(await a.getSession('new', now)).not.toBeNull();
    });
  });
}
