import { bareRoute, coreScenarios } from './core-scenarios';
import { restScenarios } from './rest';
import type { Scenario } from './scenario';

export { bareRoute };

/**
 * Every scenario measured against the bare route, in order. To add some, export
 * a `Scenario[]` from its own file (e.g. bench/rest.ts) and spread it here.
 */
export const scenarios: Scenario[] = [...coreScenarios, ...restScenarios];
