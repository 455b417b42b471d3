import { randomInt } from 'node:crypto';
import type { Model } from 'mongoose';
import type { ChangeCounterDoc } from './models';

/** One document per count: a lost update of a shared one could hide the other count's move. */
const idOf = (what: keyof CounterReading): string => `changes:${what}`;

/** What a poll found: which counts moved since the last one. */
export interface CounterReading {
  settings: number;
  lookups: number;
}

/**
 * Where change streams are missing, every write that can alter a validation (keys,
 * users, orgs, memberships, settings) changes a counter in one shared document,
 * after the write itself; other processes poll it and drop their cached lookups when
 * it moved. Bounded staleness: a change shows within one poll interval, plus the
 * cache TTL for the rare change whose process died between its write and the count.
 */
export class ChangeCounter {
  constructor(private readonly model: Model<ChangeCounterDoc>) {}

  /**
   * Sets a fresh random value rather than adding one: where concurrent updates of one
   * document can be lost (FerretDB 1.x), two `$inc`s could leave a value a poller has
   * already read, hiding a change; a value nobody wrote before always shows as moved.
   */
  async bump(what: keyof CounterReading): Promise<void> {
    const value = randomInt(2 ** 47);
    await this.model.updateOne({ _id: idOf(what) }, { $set: { [what]: value } }, { upsert: true });
  }

  async read(): Promise<CounterReading> {
    const docs = await this.model
      .find({ _id: { $in: [idOf('settings'), idOf('lookups')] } })
      .lean();
    const doc = (what: keyof CounterReading) => docs.find((d) => d._id === idOf(what));
    return { settings: doc('settings')?.settings ?? 0, lookups: doc('lookups')?.lookups ?? 0 };
  }
}
