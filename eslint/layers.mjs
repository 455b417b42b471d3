// The layer rule: which folders of src/ may import which. Arrows only point down:
// core <- store adapters, middleware <- the library (latchkey.ts) <- HTTP routers <- wiring.
import path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '..', 'src');

/** Layers by the folder (or file) a module sits in under src/; the first match wins. */
const LAYERS = [
  ['core', ['core', 'logger']],
  ['store', ['store']],
  ['middleware', ['middleware']],
  ['metrics', ['metrics']],
  ['library', ['latchkey', 'latchkey-api', 'latchkey-methods']],
  ['http', ['http']],
  ['client', ['client']],
];

/** What each layer may import, besides itself. */
const MAY_IMPORT = {
  core: [],
  store: ['core'],
  middleware: ['core'],
  metrics: ['core'],
  library: ['core', 'store', 'middleware', 'metrics'],
  http: ['core', 'middleware', 'library'],
  client: ['core', 'middleware', 'http'],
  wiring: ['core', 'store', 'middleware', 'metrics', 'library', 'http', 'client'],
};

/** Packages the framework-free core must not load. */
const NOT_IN_CORE = [
  'express',
  'express-session',
  'ejs',
  'helmet',
  'csrf-sync',
  'mongoose',
  'mongodb',
  'connect-mongo',
  'better-sqlite3',
];

/** The layer of a file or import target (with or without its extension); null outside src/. */
const layerOf = (file) => {
  const rel = path.relative(SRC, file).split(path.sep).join('/');
  if (rel.startsWith('..')) return null;
  const top = rel.replace(/\.[cm]?[jt]s$/, '').split('/')[0];
  return LAYERS.find(([, tops]) => tops.includes(top))?.[0] ?? 'wiring';
};

const packageName = (spec) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps imports pointing down the layers of src/ (ARCHITECTURE.md).' },
    messages: {
      upward: "{{from}} must not import {{to}} ('{{spec}}'): {{from}} may import {{allowed}}.",
      framework: "the core is framework-free: it must not import '{{spec}}'.",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (!from) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (!spec.startsWith('.')) {
        if (from === 'core' && NOT_IN_CORE.includes(packageName(spec)))
          context.report({ node, messageId: 'framework', data: { spec } });
        return;
      }
      const to = layerOf(path.resolve(path.dirname(file), spec));
      if (!to || to === from || MAY_IMPORT[from].includes(to)) return;
      const allowed = MAY_IMPORT[from].length ? MAY_IMPORT[from].join(', ') : 'nothing else';
      context.report({ node, messageId: 'upward', data: { from, to, spec, allowed } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { layers: layersRule } };
