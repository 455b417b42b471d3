import type { Model } from 'mongoose';
import type { ChangeCounterDoc } from './models';

const COUNTER_ID = 'changes';

/** What a poll found: which counts moved since the last one. */
export interface CounterReading {
  settings: number;
  lookups: number;
}

/**
 * Where change streams are missing, every write that can alter a validation (keys,
 * users, orgs, memberships, settings) adds one to a counter in one shared document,
 * after the write itself; other processes poll it and drop their cached lookups when
 * it moved. Bounded staleness: a change shows within one poll interval, plus the
 * cache TTL for the rare change whose process died between its write and the count.
 */
export class ChangeCounter {
  constructor(private readonly model: Model<ChangeCounterDoc>) {}

  async bump(what: keyof CounterReading): Promise<void> {
    await this.model.updateOne({ _id: COUNTER_ID }, { $inc: { [what]: 1 } }, { upsert: true });
  }

  async read(): Promise<CounterReading> {
    const doc = await this.model.findOne({ _id: COUNTER_ID }).lean();
    return { settings: doc?.settings ?? 0, lookups: doc?.lookups ?? 0 };
  }
}
