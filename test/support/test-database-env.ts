/**
 * A run given a MongoDB (MONGODB_URI, as `npm run test:mongo` and CI set it) gives it to the
 * MongoDB tests only, which read it as TEST_MONGODB_URI (test/store/mongo-target.ts). It is
 * taken out of the environment the other tests see, so the servers and CLIs they start, which
 * inherit that environment, keep to the SQLite file each test gives them, as in a run without
 * a MongoDB.
 */
const given = process.env.MONGODB_URI;
if (given) {
  process.env.TEST_MONGODB_URI ??= given;
  delete process.env.MONGODB_URI;
}
if (process.env.DATABASE_URL?.startsWith('mongodb')) delete process.env.DATABASE_URL;
