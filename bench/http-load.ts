import autocannon from 'autocannon';
import type { BenchRequest } from './scenario';
import { percentile } from './stats';

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
}

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  responses: number;
  /** Server CPU time per response, when the server reported it. */
  cpuMicrosPerRequest: number;
  /** Errors, timeouts and responses whose status was not the expected one. */
  unexpected: number;
}

/** Drives one route with autocannon and times every response itself (autocannon's histogram rounds to whole ms). */
export function load(
  origin: string,
  request: BenchRequest,
  options: LoadOptions,
): Promise<LoadFigures> {
  const latencies: number[] = [];
  let unexpected = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: origin + request.path,
        method: request.method ?? 'GET',
        headers: request.headers,
        body: request.body,
        connections: options.connections,
        duration: options.durationSeconds,
      },
      (err: unknown, result) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          requestsPerSecond: latencies.length / result.duration,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
          responses: latencies.length,
          cpuMicrosPerRequest: NaN,
          unexpected: unexpected + result.errors,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (statusCode !== request.expectStatus) unexpected++;
    });
  });
}
