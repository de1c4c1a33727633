// The layers of src/ and who may import whom (CONTRIBUTING.md has the map). A lower layer never imports a
// higher one; `npm test` runs this (test/architecture.test.ts) and fails on any violation.
//
//   util → api → validation → nixos → platform → gitops → monitoring → constructs → synth → cli
//   proxmox-sim stands alone.
const LAYERS = ['util', 'api', 'validation', 'nixos', 'platform', 'gitops', 'monitoring', 'constructs', 'synth', 'cli'];

const layerRules = LAYERS.map((layer, index) => ({
  name: `${layer}-imports-downward`,
  comment: `src/${layer}/ may import only the layers below it: ${LAYERS.slice(0, index).join(', ') || 'none'}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(index + 1).join('|') || 'none'}|proxmox-sim)/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'no import cycles, also within a layer (an `import type` back is not a cycle at run time)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'proxmox-sim-stands-alone',
      comment: 'the Proxmox simulator shares no code with Fabric, so it models Proxmox and not Fabric',
      severity: 'error',
      from: { path: '^src/proxmox-sim/' },
      to: { path: '^src/(?!proxmox-sim/)' },
    },
    {
      name: 'index-only-re-exports',
      comment: 'nothing imports the public entry point from inside src/',
      severity: 'error',
      // The bundled synth hands TypeScript claims its own copy of the public API (cli/_library-for-claims.ts).
      from: { path: '^src/', pathNot: ['^src/index\\.ts$', '^src/cli/_library-for-claims\\.ts$'] },
      to: { path: '^src/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.build.json' },
    includeOnly: '^src/',
  },
};
