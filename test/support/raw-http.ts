import type { Express } from 'express';
import type { Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** The status code of the answer to bytes written straight to a socket, or 'closed'. */
export function rawRequest(server: Server, head: Buffer): Promise<number | 'closed'> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 5 s'));
    }, 5_000);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'));
      resolve(status ? Number(status[1]) : 'closed');
    });
    socket.end(head);
  });
}

/** A POST with the given header lines (each without CRLF), as raw bytes. */
export function requestWithHeaders(path: string, lines: (string | Buffer)[]): Buffer {
  const crlf = Buffer.from('\r\n');
  const parts: Buffer[] = [Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`)];
  for (const line of lines) parts.push(Buffer.isBuffer(line) ? line : Buffer.from(line), crlf);
  parts.push(Buffer.from('Content-Length: 0\r\nConnection: close\r\n\r\n'));
  return Buffer.concat(parts);
}

export function listen(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
