import fc from 'fast-check';

/**
 * Property tests run from one fixed seed, so `npm test` gives the same answer on every
 * machine; `FUZZ_SEED=<n>` replays or explores another run (`FUZZ_SEED=random` for a fresh one).
 */
const given = process.env.FUZZ_SEED;
const seed = given === 'random' ? Date.now() % 2 ** 31 : Number(given ?? 20_261_128);
fc.configureGlobal({ seed });
