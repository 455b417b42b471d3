import { Writable } from 'node:stream';
import { createApp } from '../../src/app';
import { createLatchkey, type LatchkeyOptions } from '../../src/latchkey';
import { createLogger } from '../../src/logger';

/** Log lines written during a test, for asserting that no secret reaches them. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.lines.join('');
  }
}

/** An in-memory Latchkey with fast bcrypt and captured logs. */
export async function makeLatchkey(options: LatchkeyOptions = {}) {
  const logs = new LogCapture();
  const latchkey = await createLatchkey({
    databasePath: ':memory:',
    logger: createLogger({ level: 'debug', destination: logs }),
    bcryptCost: 4,
    usageFlushIntervalMs: 0,
    // Suites send many invalid keys from 127.0.0.1; the flood guard's own tests turn it on.
    invalidKeyLimitPerMinute: 0,
    ...options,
  });
  return Object.assign(latchkey, { logs });
}

/** The standalone app over an in-memory Latchkey. */
export async function makeApp(options: LatchkeyOptions = {}) {
  const latchkey = await makeLatchkey(options);
  const app = createApp(latchkey, { TRUST_PROXY: false, BODY_LIMIT: '100kb' });
  return { app, latchkey };
}
