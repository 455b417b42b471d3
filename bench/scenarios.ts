import { bareRoute, coreScenarios } from './core-scenarios';
import { policyScenarios } from './policy-scenarios';
import { referenceScenarios } from './reference-scenarios';
import { restScenarios } from './rest';
import type { Scenario } from './scenario';

export { bareRoute };

/**
 * Every scenario, in order; each is measured against its baseline (the bare route
 * unless it names another). To add some, export a `Scenario[]` from its own file
 * (e.g. bench/rest.ts) and spread it here.
 */
export const scenarios: Scenario[] = [
  ...coreScenarios,
  ...policyScenarios,
  ...restScenarios,
  ...referenceScenarios,
];
