import type Database from 'better-sqlite3';

/** A row as an object keyed by column name. */
export type Row = Record<string, unknown>;

/**
 * Runs a SELECT in raw (array) mode and builds the row objects itself:
 * better-sqlite3 makes an object row with one keyed property write per column,
 * which costs more than the query on the validation path. Same rows, faster.
 */
export class RowReader {
  private readonly columns: string[];

  constructor(private readonly statement: Database.Statement) {
    statement.raw(true);
    this.columns = statement.columns().map((c) => c.name);
  }

  get(...params: unknown[]): Row | undefined {
    const values = this.statement.get(...params) as unknown[] | undefined;
    return values && this.toRow(values);
  }

  all(...params: unknown[]): Row[] {
    return (this.statement.all(...params) as unknown[][]).map((values) => this.toRow(values));
  }

  private toRow(values: unknown[]): Row {
    const row: Row = {};
    for (let i = 0; i < this.columns.length; i++) row[this.columns[i]!] = values[i];
    return row;
  }
}
