/**
 * `latchkey/server`: Latchkey as a whole server (hosted pages, dashboard and REST API in one
 * Express app), configured from the environment as `npm start` runs it.
 */
// createRequestListener: the app with the lean validation routes in front, as startServer listens.
export { createApp, createRequestListener } from './app';
export { startServer, type RunningServer } from './server';
export { loadConfig, ConfigError, StartupError, type Config } from './config';
