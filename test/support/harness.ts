import { Writable } from 'node:stream';
import { createApp } from '../../src/app';
import { assembleLatchkey, type Latchkey, type LatchkeyOptions } from '../../src/latchkey';
import { createLogger } from '../../src/logger';
import type { Store } from '../../src/core/store';
import type { Validator } from '../../src/core/validator';
import { createSqliteStore } from '../../src/store/sqlite';

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

/**
 * A Latchkey as tests see it: the public API, plus the store it was given and its
 * validator, so a test can look underneath or make a read fail.
 */
export type TestLatchkey = Latchkey & { logs: LogCapture; store: Store; validator: Validator };

/** An in-memory Latchkey with fast bcrypt and captured logs. */
export async function makeLatchkey(options: LatchkeyOptions = {}): Promise<TestLatchkey> {
  const logs = new LogCapture();
  const store = options.store ?? createSqliteStore(options.databasePath ?? ':memory:');
  const { latchkey, parts } = await assembleLatchkey({
    logger: createLogger({ level: 'debug', destination: logs }),
    bcryptCost: 4,
    usageFlushIntervalMs: 0,
    // Suites send many invalid keys from 127.0.0.1; the flood guard's own tests turn it on.
    invalidKeyLimitPerMinute: 0,
    // Webhook tests run deliveries themselves (latchkey.webhooks.deliverNow()), and expiry
    // tests the expiry job (latchkey.runExpiryPass()).
    webhookDeliveryIntervalMs: 0,
    expiryIntervalMs: 0,
    webhookAllowPrivateNetworks: true,
    ...options,
    store,
  });
  return Object.assign(latchkey, { logs, store, validator: parts.validator });
}

/** The standalone app over an in-memory Latchkey. */
export async function makeApp(options: LatchkeyOptions = {}) {
  const latchkey = await makeLatchkey(options);
  const app = createApp(latchkey, { TRUST_PROXY: false, BODY_LIMIT: '100kb' });
  return { app, latchkey };
}
