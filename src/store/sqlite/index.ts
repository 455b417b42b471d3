export { createSqliteStore, openSqliteDatabase, SqliteStore } from './sqlite-store';
