import { FreshCache } from '../../src/core/fresh-cache';

describe('FreshCache', () => {
  it('answers a value until its TTL has passed since it was read, then drops it', () => {
    const cache = new FreshCache<string>(10, 100);
    cache.set('k', 'v', 1_000);
    expect(cache.get('k', 1_000)).toBe('v');
    expect(cache.get('k', 1_099)).toBe('v');
    expect(cache.get('k', 1_100)).toBeUndefined();
    // Dropped, not only hidden: an earlier clock reading does not bring it back.
    expect(cache.get('k', 1_000)).toBeUndefined();
  });

  it('keeps at most `max` entries, evicting the least recently used', () => {
    const cache = new FreshCache<number>(2, 1_000);
    cache.set('a', 1, 0);
    cache.set('b', 2, 0);
    expect(cache.get('a', 0)).toBe(1);
    cache.set('c', 3, 0);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBe(1);
    expect(cache.get('c', 0)).toBe(3);
  });

  it('forgets one entry or all of them', () => {
    const cache = new FreshCache<number>(10, 1_000);
    cache.set('a', 1, 0);
    cache.set('b', 2, 0);
    cache.delete('a');
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('b', 0)).toBe(2);
    cache.clear();
    expect(cache.get('b', 0)).toBeUndefined();
  });
});
