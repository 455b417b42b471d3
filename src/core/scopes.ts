import { LatchkeyError } from './errors';
import type { KeyKind, Settings } from './types';

/** The admin's limits on which declared scopes personal and org keys may hold (null = all). */
export type ScopeLimits = Pick<Settings, 'personalKeyScopes' | 'orgKeyScopes'>;

const limitOf = (kind: KeyKind, limits: ScopeLimits | undefined): readonly string[] | null =>
  !limits || kind === 'generic'
    ? null
    : ((kind === 'personal' ? limits.personalKeyScopes : limits.orgKeyScopes) ?? null);

/** One permission a key may hold, declared once by the product. */
export interface ScopeDefinition {
  /** Like `projects:read`: letters, digits and `:._-`, at most 100 characters. */
  name: string;
  description?: string;
  /** The key kinds that may hold it; every kind when omitted. */
  kinds?: readonly KeyKind[];
}

/** What `createLatchkey({ scopes })` and the SCOPES setting take. */
export type ScopesOption =
  | readonly ScopeDefinition[]
  | { scopes: readonly ScopeDefinition[]; defaultScopes?: 'all' | readonly string[] };

const NAME = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,99}$/;
const KINDS: readonly KeyKind[] = ['personal', 'org', 'generic'];
export const MAX_SCOPES = 100;

/** What a key holding no scopes holds. */
export const NO_SCOPES: readonly string[] = Object.freeze([]);

/**
 * The product's scopes: which names exist, which kinds may hold each, and the set a key
 * created without any gets ("all" of those its kind may hold, unless configured).
 */
export class ScopeCatalog {
  readonly definitions: readonly Readonly<Required<ScopeDefinition>>[];
  private readonly byName: Map<string, Readonly<Required<ScopeDefinition>>>;
  private readonly defaults: Record<KeyKind, readonly string[]>;

  constructor(option: ScopesOption = []) {
    const list = Array.isArray(option)
      ? (option as readonly ScopeDefinition[])
      : (option as { scopes: readonly ScopeDefinition[] }).scopes;
    const chosen = Array.isArray(option)
      ? 'all'
      : ((option as { defaultScopes?: 'all' | readonly string[] }).defaultScopes ?? 'all');
    if (!Array.isArray(list)) throw new TypeError('scopes: must be a list of scope definitions');
    if (list.length > MAX_SCOPES) throw new TypeError(`scopes: at most ${MAX_SCOPES} scopes`);
    this.byName = new Map();
    for (const def of list) {
      const name: unknown = def?.name;
      if (typeof name !== 'string' || !NAME.test(name))
        throw new TypeError(`scopes: "${String(name)}" is not a valid scope name`);
      if (this.byName.has(name)) throw new TypeError(`scopes: "${name}" is declared twice`);
      const kinds = def.kinds ?? KINDS;
      if (!Array.isArray(kinds) || kinds.some((k) => !KINDS.includes(k)))
        throw new TypeError(`scopes: "${name}" has kinds other than ${KINDS.join(', ')}`);
      const description = def.description ?? '';
      if (typeof description !== 'string')
        throw new TypeError(`scopes: the description of "${name}" must be text`);
      this.byName.set(name, Object.freeze({ name, description, kinds: Object.freeze([...kinds]) }));
    }
    this.definitions = Object.freeze([...this.byName.values()]);
    if (chosen !== 'all') {
      if (!Array.isArray(chosen)) throw new TypeError('defaultScopes: must be "all" or a list');
      for (const n of chosen)
        if (!this.byName.has(n))
          throw new TypeError(`defaultScopes: "${n}" is not a declared scope`);
    }
    const defaultFor = (kind: KeyKind) =>
      Object.freeze(
        this.definitions
          .filter((d) => d.kinds.includes(kind) && (chosen === 'all' || chosen.includes(d.name)))
          .map((d) => d.name),
      );
    this.defaults = {
      personal: defaultFor('personal'),
      org: defaultFor('org'),
      generic: defaultFor('generic'),
    };
  }

  get isEmpty(): boolean {
    return this.byName.size === 0;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * The scopes a key of this kind may hold, in declaration order: those the product lets
   * the kind hold, narrowed by the admin's limits when given.
   */
  forKind(kind: KeyKind, limits?: ScopeLimits): readonly Readonly<Required<ScopeDefinition>>[] {
    const limit = limitOf(kind, limits);
    return this.definitions.filter(
      (d) => d.kinds.includes(kind) && (limit === null || limit.includes(d.name)),
    );
  }

  /**
   * What a key holds: its own set, or the default set for keys stored without one; with
   * the admin's limits, only what its kind may still hold (a narrowed limit applies to
   * keys made before it).
   */
  heldBy(
    key: { kind: KeyKind; scopes: readonly string[] | null },
    limits?: ScopeLimits,
  ): readonly string[] {
    const held = key.scopes ?? this.defaults[key.kind] ?? NO_SCOPES;
    const limit = limitOf(key.kind, limits);
    return limit === null ? held : held.filter((n) => limit.includes(n));
  }

  /**
   * The set to store for a key of `kind`: the requested names (checked, deduplicated, in
   * declaration order), or the default set when none were given.
   */
  choose(kind: KeyKind, requested: readonly string[] | undefined, limits?: ScopeLimits): string[] {
    if (requested === undefined) return [...this.heldBy({ kind, scopes: null }, limits)];
    const limit = limitOf(kind, limits);
    for (const name of requested) {
      const def = this.byName.get(name);
      if (!def) throw LatchkeyError.field('scopes', `"${name}" is not a scope of this product`);
      if (!def.kinds.includes(kind))
        throw LatchkeyError.field('scopes', `"${name}" cannot be held by ${kind} keys`);
      if (limit !== null && !limit.includes(name))
        throw LatchkeyError.field('scopes', `"${name}" is not allowed on ${kind} keys here`);
    }
    return this.definitions.filter((d) => requested.includes(d.name)).map((d) => d.name);
  }

  /**
   * An admin limit as stored: checked against what the kind may hold (naming `field`), and
   * null when it allows all of that, so scopes declared later are allowed too.
   */
  limitFor(kind: 'personal' | 'org', names: readonly string[] | null, field: string) {
    if (names === null) return null;
    for (const n of names) {
      const def = this.byName.get(n);
      if (!def) throw LatchkeyError.field(field, `"${n}" is not a scope of this product`);
      if (!def.kinds.includes(kind))
        throw LatchkeyError.field(field, `"${n}" cannot be held by ${kind} keys`);
    }
    const holdable = this.forKind(kind);
    if (holdable.every((d) => names.includes(d.name))) return null;
    return holdable.filter((d) => names.includes(d.name)).map((d) => d.name);
  }

  /** Throws unless every name is declared (for route requirements, checked at setup). */
  requireDeclared(names: readonly string[], option: string): void {
    for (const n of names)
      if (!this.byName.has(n)) throw new TypeError(`${option}: "${n}" is not a declared scope`);
  }
}
