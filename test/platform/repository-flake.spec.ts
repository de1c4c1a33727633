/**
 * The repository's root flake (flake.nix): its nixosConfigurations are the Machines whose flake reference
 * points here, synth refuses a reference to an output it does not define, and the Nix files parse and
 * evaluate with the real nix-instantiate (nixpkgs stubbed: only nixosSystem's arguments are checked).
 */
import * as fs from 'fs';
import * as path from 'path';
import { synthesize } from '../../src/synth/synthesize';
import { NIXOS_CONFIGURATIONS_FILE, pointsAtRepositoryFlake } from '../../src/nixos/repository-flake';
import { formatProblem, ValidationError } from '../../src/validation/problem';
import { run, testWith } from '../_checkers';
import { describeExampleFleet, minimalMachine, readTree, REPO, tempProject } from '../_helpers';

const withNix = testWith('nix-instantiate');
const env = { ...process.env, NIX_CONFIG: 'build-users-group =' };
const REPO_URL = 'https://github.com/kubelize/fabric.git';

describe('which flake references point at the repository flake', () => {
  test.each([
    ['git+https with a ref', 'git+https://github.com/kubelize/fabric?ref=main#dns01', true],
    ['git+https with .git', 'git+https://github.com/kubelize/fabric.git#dns01', true],
    ['the github: scheme', 'github:kubelize/fabric#dns01', true],
    ['another letter case', 'git+https://GitHub.com/Kubelize/Fabric?ref=main#dns01', true],
    ['git+ssh', 'git+ssh://git@github.com/kubelize/fabric?ref=main#dns01', true],
    ['the template flake (dir=src/nixos)', 'git+https://github.com/kubelize/fabric?dir=src/nixos#template', false],
    ['another repository', 'git+https://github.com/kubelize/fabric-hosts?ref=main#dns01', false],
    ['another owner', 'github:someone/fabric#dns01', false],
    ['a path', 'path:/etc/nixos#dns01', false],
  ])('%s: %s → %s', (_reason, flakeRef, expected) => {
    expect(pointsAtRepositoryFlake(flakeRef, REPO_URL)).toBe(expected);
  });
});

function problemsOf(project: string): string[] {
  try {
    synthesize({ projectDir: project });
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

/** Settings naming the repository the example references point at. */
const THIS_REPOSITORY = { gitops: { repoURL: 'https://github.com/kubelize/fabric.git' } };

describe('synth and the repository flake', () => {
  test('refuses a reference to this repository that names an output its flake does not define, and writes nothing', () => {
    const project = tempProject({
      'web.yaml': minimalMachine('web', { nix: { flakeRef: 'git+https://github.com/kubelize/fabric?ref=main#dns01' } }),
    }, THIS_REPOSITORY);
    try {
      expect(problemsOf(project)).toEqual([
        'claims/web.yaml:19:15: Machine infra-machines/web: spec.nix.flakeRef names output "dns01", which this repository\'s flake (flake.nix) does not define: it defines nixosConfigurations.<name> for each Machine whose reference points at it, so this Machine\'s is #web, got "git+https://github.com/kubelize/fabric?ref=main#dns01"',
      ]);
      expect(readTree(path.join(project, 'dist'))).toEqual({});
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  test('refuses two Machines of one name in different namespaces pointing here: the flake has one entry per name', () => {
    const ref = 'github:kubelize/fabric#web';
    const other = { ...minimalMachine('web', { hostname: 'web-lab', nix: { flakeRef: ref } }), metadata: { name: 'web', namespace: 'lab' } };
    const project = tempProject({ 'a.yaml': minimalMachine('web', { nix: { flakeRef: ref } }), 'b.yaml': other }, THIS_REPOSITORY);
    try {
      expect(problemsOf(project)).toEqual([
        'claims/b.yaml:20:15: Machine lab/web: spec.nix.flakeRef names output "web", which this repository\'s flake already builds for Machine infra-machines/web (claims/a.yaml:4); its outputs are Machine names, so two Machines pointing at it need different names, got "github:kubelize/fabric#web"',
      ]);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  test('the repository URL comes from fabric.gitops.repoURL: a fork\'s references are checked against the fork', () => {
    const project = tempProject(
      { 'web.yaml': minimalMachine('web', { nix: { flakeRef: 'git+https://github.com/kubelize/fabric?ref=main#anything' } }) },
      { gitops: { repoURL: 'https://git.example.org/lab/fabric.git' } },
    );
    try {
      const result = synthesize({ projectDir: project, dryRun: true });
      expect(JSON.parse(result.files.get(NIXOS_CONFIGURATIONS_FILE)!)).toEqual({});
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});

describeExampleFleet('the repository flake', () => {
  test('lists every Machine of claims/ that points here, and only those', () => {
    const listed = JSON.parse(fs.readFileSync(path.join(REPO, 'dist', NIXOS_CONFIGURATIONS_FILE), 'utf8'));
    expect(listed).toEqual({ dns01: 'infra-machines/dns01.json', docker01: 'infra-machines/docker01.json' });
    for (const facts of Object.values(listed) as string[]) {
      expect(fs.existsSync(path.join(REPO, 'dist', 'hosts', facts))).toBe(true);
    }
  });

  withNix('its nixosConfigurations are the listed Machines, each the template, its host facts and its own module when it has one', () => {
    // nixpkgs stubbed: nixosSystem returns what it was given; the host-facts module is applied to a tiny lib.
    const expression = `
      let
        lib = { mkOverride = p: v: v; mkIf = c: v: if c then v else { }; optionalAttrs = c: a: if c then a else { }; };
        outputs = (import ./flake.nix).outputs {
          self = { };
          nixpkgs.lib.nixosSystem = args: {
            inherit (args) system;
            modules = map (m: if builtins.isPath m then builtins.baseNameOf m else (m { inherit lib; }).networking.hostName) args.modules;
          };
        };
      in outputs.nixosConfigurations`;
    const result = run('nix-instantiate', ['--eval', '--strict', '--json', '-E', expression], { cwd: REPO, env });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      dns01: { system: 'x86_64-linux', modules: ['template.nix', 'dns01', 'dns01.nix'] },
      docker01: { system: 'x86_64-linux', modules: ['template.nix', 'docker01'] },
    });
  });
});

describe('the repository flake in the real nix-instantiate', () => {
  for (const file of ['flake.nix', 'nix/nixos-configurations.nix', ...fs.readdirSync(path.join(REPO, 'nix', 'hosts')).map((f) => `nix/hosts/${f}`)]) {
    withNix(`${file} passes nix-instantiate --parse`, () => {
      const result = run('nix-instantiate', ['--parse', file], { cwd: REPO, env });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  }
});
