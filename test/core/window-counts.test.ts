import { WindowCounts } from '../../src/core/window-counts';

const DAY_MS = 86_400_000;

describe('fixed-window counts', () => {
  it('open a window at the first count, refuse past the limit and start again when it ends', () => {
    const counts = new WindowCounts(2, 10_000);
    expect(counts.count('a', 0)).toBeNull();
    expect(counts.count('a', 4_000)).toBeNull();
    expect(counts.count('a', 4_000)).toBe(6);
    expect(counts.count('a', 9_999)).toBe(1);
    expect(counts.count('b', 9_999)).toBeNull();
    expect(counts.count('a', 10_000)).toBeNull();
    expect(counts.count('a', 10_000)).toBeNull();
    expect(counts.count('a', 10_000)).toBe(10);
  });

  it('hold for the longest allowance offered, 31 days', () => {
    const counts = new WindowCounts(1, 31 * DAY_MS);
    expect(counts.count('a', 0)).toBeNull();
    expect(counts.count('a', 30 * DAY_MS)).toBe(86_400);
    expect(counts.count('a', 31 * DAY_MS)).toBeNull();
  });

  it('forget ended windows, so memory follows the subjects of one period', () => {
    const counts = new WindowCounts(1, 1_000);
    for (let i = 0; i < 5_000; i++) counts.count(`old-${i}`, 0);
    expect(counts.size).toBe(5_000);
    // No sweep until the map has doubled since the last one: a count stays O(1) amortized.
    counts.count('first-new', 2_000);
    expect(counts.size).toBe(5_001);
    for (let i = 0; i < 5_000; i++) counts.count(`new-${i}`, 2_000);
    // The sweep that made room dropped every ended window; without it there would be 10,000.
    expect(counts.size).toBeLessThan(8_192);
    for (let i = 0; i < 5_000; i++) expect(counts.count(`new-${i}`, 2_000)).toBe(1);
  });
});
