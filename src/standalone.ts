/**
 * `latchkey/server`: Latchkey as a whole server (hosted pages, dashboard and REST API in one
 * Express app), configured from the environment as `npm start` runs it.
 */
export { createApp } from './app';
export { startServer, type RunningServer } from './server';
export { loadConfig, ConfigError, StartupError, type Config } from './config';
