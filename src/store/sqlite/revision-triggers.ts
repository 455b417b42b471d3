/**
 * One trigger per event that moves the validation revision. A new user or org needs none:
 * no key can name an owner before it exists.
 */
export function revisionTriggers(table: string, events: string[]): string {
  return events
    .map(
      (event) => `
      CREATE TRIGGER IF NOT EXISTS ${table}_${event.split(' ')[0]!.toLowerCase()}_moves_validation_revision
      AFTER ${event} ON ${table}
      BEGIN UPDATE validation_revision SET value = value + 1 WHERE id = 1; END;`,
    )
    .join('\n');
}
