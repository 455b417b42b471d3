/** A slice of a list: `limit` items after skipping `offset`. */
export interface Page {
  limit: number;
  offset: number;
}

export interface Paged<T> {
  items: T[];
  total: number;
}
