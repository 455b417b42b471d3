import type { Store } from '../../../src/core/store';
import type { CurrentStore } from './context';

/** Sessions of the hosted and admin pages. */
export function describePageSessions(current: CurrentStore): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });

  describe('sessions', () => {
    it('stores, replaces, expires and destroys sessions', async () => {
      await store.setSession('s1', { data: '{"a":1}', expiresAt: 1000 });
      await store.setSession('s1', { data: '{"a":2}', expiresAt: 2000 });
      await store.setSession('s2', { data: '{}', expiresAt: 100 });
      expect(await store.getSession('s1', 500)).toEqual({ data: '{"a":2}', expiresAt: 2000 });
      expect(await store.getSession('s2', 500)).toBeNull();
      expect(await store.pruneSessions(500)).toBe(1);
      await store.destroySession('s1');
      expect(await store.getSession('s1', 500)).toBeNull();
    });
  });
}
