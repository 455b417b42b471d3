import type { Store } from '../../../src/core/store';

/** The store the running test was given: a fresh, empty one for each test. */
export type CurrentStore = () => Store;

export const page = { limit: 50, offset: 0 };

/** Now, in the seconds the store's times are kept in. */
export const t = (): number => Math.floor(Date.now() / 1000);
