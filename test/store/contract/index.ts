import type { Store } from '../../../src/core/store';
import { describeAdminRecords } from './admin-records';
import { describeDirectoryRecords } from './directory';
import { describeEventRecords } from './event-records';
import { describeKeyForValidation } from './key-for-validation';
import { describeKeyRecords } from './keys';
import { describePageSessions } from './page-sessions';
import { describeReminderRecords } from './reminders';
import { describeQuotaAndRoll } from './quota-and-roll';
import { describeRetentionRecords } from './retention';
import { describeUsageRecords } from './usage';

/**
 * The store contract: every adapter runs this suite unchanged by passing a
 * factory that returns a fresh, empty store. One file per role of the store port.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });
    const current = () => store;

    describeDirectoryRecords(current);
    describeKeyRecords(current);
    describeKeyForValidation(current);
    describeQuotaAndRoll(current);
    describeUsageRecords(current);
    describeAdminRecords(current);
    describePageSessions(current);
    describeRetentionRecords(current);
    describeReminderRecords(current);
    describeEventRecords(current);
  });
}
