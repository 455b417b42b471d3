import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1 that records every request and answers with the next
 * status in `answers` (the last one repeating), 200 when none are given; 0 never answers.
 */
export async function startReceiver(answers: number[] = [200]) {
  const received: Received[] = [];
  const queue = [...answers];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const status = queue.length > 1 ? queue.shift()! : (queue[0] ?? 200);
      if (status === 0) return;
      if (status >= 300 && status < 400) res.setHeader('location', 'http://127.0.0.1:1/');
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
