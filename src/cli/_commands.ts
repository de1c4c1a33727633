/**
 * The command line of `npm run package`, `import` and `bench` (synth's is in _synth-command.ts): each
 * command's options and exit codes, which its parser, its `--help` and the README's table all follow.
 * Kept apart from the commands so that tests and docs read them without running a command.
 */
import { CommandSpec } from './_options';

export const PACKAGE_COMMAND: CommandSpec = {
  usage: 'npm run package [-- <options>]',
  summary: 'Writes the Machine API (crossplane.yaml, the XRD, the Composition) as a Crossplane Configuration package folder.',
  options: [{ name: '--out', value: '<dir>', description: 'the package folder; default: build/package/' }],
  exitCodes: ['0  done', '2  bad usage or a failure (the folder is left as it was)'],
};

export const IMPORT_COMMAND: CommandSpec = {
  usage: 'npm run import [-- <options>]',
  summary: 'Regenerates imports/ (bindings and the pinned upstream CRDs listed in cdk8s.yaml) and docs/machine-reference.md.',
  options: [{ name: '--out', value: '<dir>', description: 'write imports/ and docs/ below <dir> instead of the repository (tests compare them)' }],
  exitCodes: ['0  done', '1  a CRD could not be read or imported', '2  bad usage'],
};

export const BENCH_COMMAND: CommandSpec = {
  usage: 'npm run bench [-- <options>]',
  summary: 'Times a first synth (no dist/, no .fabric/) and an unchanged re-synth of the example fleet and of generated fleets (YAML and TypeScript claims), against a floor that only parses and writes the same YAML.',
  options: [
    { name: '--sizes', value: '<n,n,...>', description: 'generated fleet sizes to time, besides the example fleet; default: 100,1000' },
    { name: '--runs', value: '<n>', description: 'timed runs per measurement (min and median are reported); default: 5' },
    { name: '--compare', value: '<checkout>', description: 'another Fabric checkout (built) whose synth takes turns with this one, to measure a change' },
    { name: '--pools', description: 'also time each size with its Machines drawing addresses from an IP pool and VMIDs from the site\'s range, for comparison with the same fleet of literal ones' },
  ],
  exitCodes: ['0  done', '1  a run failed', '2  bad usage'],
};

export const INIT_COMMAND: CommandSpec = {
  usage: 'npm run init [-- <options>]',
  summary: 'Starts your own fleet: removes the example claims, names the repository Argo CD syncs from, and writes dist/ without the example Machines (running it is the consent to drop them; no --allow-destroy needed).',
  options: [
    { name: '--repo-url', value: '<url>', description: 'the repository Argo CD syncs dist/ from; default: the git remote origin, as https' },
    { name: '--project', value: '<dir>', description: 'the project to initialise; default: this repository' },
  ],
  exitCodes: ['0  done', '1  refused: claims/ holds your own Machines, no repository URL, or bad usage'],
};

export const NEW_COMMAND: CommandSpec = {
  usage: 'fabric new <dir> [<options>]    npx @kubelize/fabric new <dir>',
  summary: 'Creates a fleet repository in <dir>: package.json depending on @kubelize/fabric, a lock file, claims/ with one example Machine, cdk8s.yaml, tsconfig.json, .gitignore, a README for operators and a CI workflow. Then: cd <dir> && npm ci && npm run synth.',
  argument: { name: '<dir>', description: 'the folder to create (it must not exist, or be empty)' },
  options: [
    { name: '--repo-url', value: '<url>', description: 'the repository Argo CD syncs dist/ from; default: the git remote origin of <dir>, once it has one' },
    { name: '--fabric', value: '<spec>', description: 'the @kubelize/fabric dependency to write (a version range, or file:<tarball>); default: ^ this version' },
  ],
  exitCodes: ['0  done', '1  refused: <dir> is not empty, or bad usage'],
};
