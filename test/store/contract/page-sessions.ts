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

  describe('session owners', () => {
    it('keeps one stamp per owner, replaced by the next, none until set', async () => {
      expect(await store.getOwnerStamp('user:a')).toBeNull();
      await store.setOwnerStamp('user:a', 'one');
      await store.setOwnerStamp('admin:a', 'other');
      expect(await store.getOwnerStamp('user:a')).toBe('one');
      await store.setOwnerStamp('user:a', 'two');
      expect(await store.getOwnerStamp('user:a')).toBe('two');
      expect(await store.getOwnerStamp('admin:a')).toBe('other');
      expect(await store.getOwnerStamp('user:b')).toBeNull();
    });

    it('never prunes a stamp and never mixes stamps with sessions', async () => {
      await store.setSession('user:a', { data: '{}', expiresAt: 100 });
      await store.setOwnerStamp('user:a', 'stamp');
      expect(await store.pruneSessions(4_000_000_000)).toBe(1);
      expect(await store.getOwnerStamp('user:a')).toBe('stamp');
      expect(await store.getSession('user:a', 50)).toBeNull();
    });
  });
}
