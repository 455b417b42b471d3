import express, { type RequestHandler } from 'express';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { makeBackend } from '../rest/support';

export async function listen(app: RequestListener): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = createHttpServer(app).listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** A running Latchkey server that counts the requests and connections it receives. */
export async function runningLatchkey() {
  const backend = await makeBackend({ cacheTtlMs: 0 });
  const { server, url } = await listen(backend.app);
  const counts = { requests: 0, connections: 0 };
  server.on('request', () => counts.requests++);
  server.on('connection', () => counts.connections++);
  return {
    ...backend,
    url,
    counts,
    stop: async () => {
      await closeServer(server);
      await backend.latchkey.close();
    },
  };
}

/** A product app: one route behind the given middleware that echoes `req.apiKey`. */
export function productApp(guard: RequestHandler) {
  const app = express();
  app.get('/me', guard, (req, res) => {
    res.json(req.apiKey ?? null);
  });
  return app;
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server that accepts connections and never answers. */
export async function silentServer() {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
