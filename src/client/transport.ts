import http from 'node:http';
import https from 'node:https';

/** Why a call to the Latchkey server produced no usable answer. Never carries a token. */
export class LatchkeyClientError extends Error {
  constructor(
    readonly kind: 'timeout' | 'network' | 'unauthorized' | 'refused' | 'server' | 'protocol',
    message: string,
  ) {
    super(message);
    this.name = 'LatchkeyClientError';
  }
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** Largest answer worth reading; a validation answer is a few kilobytes. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * POSTs JSON to the backend API over kept-alive connections. Each call is bounded
 * by `timeoutMs` from start to last byte, so a slow or silent server cannot hold a
 * caller longer than that.
 */
export class Transport {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly authorization: string;

  constructor(
    private readonly base: URL,
    integrationKey: string,
    private readonly timeoutMs: number,
    maxSockets: number,
  ) {
    const secure = base.protocol === 'https:';
    this.agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets });
    this.request = secure ? https.request : http.request;
    this.authorization = `Bearer ${integrationKey}`;
  }

  post(path: string, payload: unknown): Promise<JsonAnswer> {
    const body = JSON.stringify(payload);
    const url = new URL(`${this.base.pathname.replace(/\/$/, '')}${path}`, this.base);
    return new Promise<JsonAnswer>((resolve, reject) => {
      const req = this.request(url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          Authorization: this.authorization,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          Accept: 'application/json',
        },
      });
      const timer = setTimeout(() => {
        req.destroy(
          new LatchkeyClientError('timeout', `Latchkey did not answer within ${this.timeoutMs} ms`),
        );
      }, this.timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(
          err instanceof LatchkeyClientError
            ? err
            : new LatchkeyClientError('network', `Latchkey could not be reached (${err.message})`),
        );
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(new LatchkeyClientError('protocol', 'Latchkey answered too much data'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: text ? (JSON.parse(text) as unknown) : null,
            });
          } catch {
            reject(
              new LatchkeyClientError(
                'protocol',
                `Latchkey answered ${res.statusCode} without JSON`,
              ),
            );
          }
        });
      });
      req.end(body);
    });
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
