/** `latchkey/mongo`: the MongoDB store, its page-session store, key-change feed and rate limits. */
export {
  createMongoStore,
  createPageSessionStore,
  watchKeyChanges,
  type CreateMongoStoreOptions,
  type KeyChange,
} from './store/mongo';
export { mongoRateLimits } from './store/shared-rate-limits';
