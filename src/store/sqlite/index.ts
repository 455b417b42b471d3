export {
  createSqliteStore,
  isSqliteStore,
  openSqliteDatabase,
  type SqliteStore,
} from './sqlite-store';
