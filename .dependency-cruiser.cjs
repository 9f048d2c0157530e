/**
 * flowrun's layers, top to bottom (docs/architecture.md says what each owns). A module may
 * import from its own layer and from the layers below it, never from a layer above; no cycles
 * between files (here) or between folders (scripts/check-layers.mjs). `npm run lint` runs both.
 */
const LAYERS = [
  { name: 'cli', paths: ['^src/cli/', '^src/index\\.ts$'] },
  {
    name: 'loading and reporting',
    paths: ['^src/scenario/', '^src/config/', '^src/matrix/', '^src/report/', '^src/import/'],
  },
  { name: 'engine', paths: ['^src/engine/'] },
  { name: 'steps and services', paths: ['^src/steps/', '^src/services/', '^src/contract/'] },
  { name: 'mock and clients', paths: ['^src/mock/', '^src/clients/'] },
  { name: 'assert', paths: ['^src/assert/'] },
  { name: 'template', paths: ['^src/template/'] },
  {
    name: 'model, util and errors',
    paths: ['^src/model/', '^src/util/', '^src/types\\.ts$', '^src/errors\\.ts$'],
  },
];

const upward = LAYERS.slice(1).map((layer, i) => ({
  name: `layer-${layer.name.replace(/\W+/g, '-')}`,
  severity: 'error',
  comment: `${layer.name} may not import from the layers above it (${LAYERS.slice(0, i + 1)
    .map((l) => l.name)
    .join('; ')})`,
  from: { path: layer.paths },
  to: { path: LAYERS.slice(0, i + 1).flatMap((l) => l.paths) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'a file may not reach itself through its imports',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'in-a-layer',
      severity: 'error',
      comment: 'every source file belongs to a layer: add its folder to LAYERS and to docs/architecture.md',
      from: { path: '^src/', pathNot: LAYERS.flatMap((l) => l.paths) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    // Type-only imports count: a type is a dependency on the layer that owns it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
  },
};
