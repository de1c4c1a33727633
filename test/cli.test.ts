/**
 * `npm run synth` / `npm run plan` as users run them, on a throwaway project (--project): exit codes, what
 * it prints and that dist/ is untouched when it refuses. The command runs in-process (the same function the
 * process runs); one test runs the real process, for what only the process boundary shows.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { synthCommand } from '../src/cli/_synth-command';
import { synthesize } from '../src/synth/synthesize';
import { minimalMachine, readTree, replaceClaims, REPO, tempProject } from './_helpers';

type Doc = Record<string, any>;

let project: string;
let dist: string;

/** The command as `npm run synth -- --project <project> ...args` runs it, from the project folder. */
function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const status = synthCommand(['--project', project, ...args], { defaultProject: REPO, cwd: project }, {
    out: (text) => { stdout += `${text}\n`; },
    err: (text) => { stderr += `${text}\n`; },
  });
  return { status, stdout, stderr };
}

const setClaims = (machines: Doc[]) => replaceClaims(project, machines);

beforeEach(() => {
  project = tempProject({});
  dist = path.join(project, 'dist');
  setClaims([minimalMachine('a'), minimalMachine('b')]);
  synthesize({ projectDir: project });
});

afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

describe('npm run synth', () => {
  test('reports every problem of three bad claims together, exits 1 and leaves dist/ byte-identical', () => {
    const before = readTree(dist);
    setClaims([
      minimalMachine('a', { memory: { size: 256 } }),
      minimalMachine('b', { memroy: { size: 2048 } }),
      minimalMachine('c', { network: { ip: '10.0.1.10', gateway: '10.0.2.1' } }),
    ]);
    const run = cli();
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe([
      '3 problems found:',
      '  claims/a.yaml:10:11: Machine infra-machines/a: spec.memory.size must be at least 512 (MiB), got 256',
      '  claims/b.yaml:18:3: Machine infra-machines/b: spec.memroy is not a field of the Machine API (the API server would silently drop it); known fields: hostname, cpu, memory, disk, dataDisks, network, proxmox, nix, bootstrap, tags, deletionPolicy; did you mean `memory`?',
      '  claims/c.yaml:20:14: Machine infra-machines/c: spec.network.gateway must lie inside 10.0.1.0/24, the subnet of ip 10.0.1.10, got "10.0.2.1"',
      'dist/ was left unchanged',
      '',
    ].join('\n'));
    expect(readTree(dist)).toEqual(before);
  });

  test('writes a valid project, printing the plan and a summary', () => {
    setClaims([minimalMachine('a'), minimalMachine('b'), minimalMachine('c')]);
    const run = cli();
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^plan: 1 to add, 0 to change in place, 0 to change with a reboot or data loss, 0 to replace, 0 to remove\n {2}\+ {3}Machine infra-machines\/c: added: 2 cores, 2048 MiB, 32 GiB disk, on node pve\nsynth: 3 Machines, 4 of \d+ files changed in dist\/ \(\d+ ms, peak \d+ MiB\)\n$/);
    expect(fs.existsSync(path.join(dist, 'cluster', 'machines', 'machine.infra-machines.c.yaml'))).toBe(true);
  });

  test('refuses a destructive plan with exit 1, printing the plan, and writes it with --allow-destroy', () => {
    const before = readTree(dist);
    setClaims([minimalMachine('a', { proxmox: { node: 'pve', templateId: 9001 } })]);
    const refused = cli();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe([
      'plan: 0 to add, 0 to change in place, 0 to change with a reboot or data loss, 1 to replace, 1 to remove',
      'destroys: 2 (Machines whose VM is destroyed or replaced, or whose disk data is lost)',
      '  -/+ Machine infra-machines/a: replaced: spec.proxmox.templateId 9000 → 9001 (replace: the VM is cloned again from the new template)',
      '  -   Machine infra-machines/b: removed: the VM is destroyed',
      '',
      'refusing to destroy or replace VMs, or lose disk data; review the plan, then accept it with: npm run synth -- --allow-destroy',
      'dist/ was left unchanged',
      '',
    ].join('\n'));
    expect(readTree(dist)).toEqual(before);

    const allowed = cli('--allow-destroy');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('  -   Machine infra-machines/b: removed: the VM is destroyed\n');
    expect(readTree(dist)).not.toEqual(before);
    expect(fs.existsSync(path.join(dist, 'cluster', 'machines', 'machine.infra-machines.b.yaml'))).toBe(false);
  });

  test('refuses an unknown option with exit 2 rather than ignore it', () => {
    const before = readTree(dist);
    setClaims([minimalMachine('a', { memory: { size: 4096 } }), minimalMachine('b')]);
    const run = cli('--plna');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('synth: unknown option "--plna"; known: --plan, --allow-destroy, --check, --detailed-exitcode, --out <dir>, --project <dir>, --help; did you mean `--plan`?\n');
    expect(readTree(dist)).toEqual(before);
  });

  test('--out writes the tree elsewhere and names it', () => {
    const run = cli('--out', 'elsewhere');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/files changed in elsewhere\//);
    expect(Object.keys(readTree(path.join(project, 'elsewhere')))).toEqual(Object.keys(readTree(dist)));
  });
});

describe('npm run plan', () => {
  test('prints the plan, destructive or not, exits 0 and writes nothing', () => {
    const before = readTree(dist);
    setClaims([minimalMachine('a', { memory: { size: 4096 } }), minimalMachine('c', { cpu: { cores: 4 } })]);
    const run = cli('--plan');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp([
      '^plan: 1 to add, 0 to change in place, 1 to change with a reboot or data loss, 0 to replace, 1 to remove',
      'destroys: 1 \\(Machines whose VM is destroyed or replaced, or whose disk data is lost\\)',
      ' {2}~ {3}Machine infra-machines/a: changed, the VM reboots: spec.memory.size 2048 → 4096 \\(reboot: [^\\n]*\\)',
      ' {2}- {3}Machine infra-machines/b: removed: the VM is destroyed',
      ' {2}\\+ {3}Machine infra-machines/c: added: 4 cores, 2048 MiB, 32 GiB disk, on node pve',
      'plan: 2 Machines, nothing written \\(\\d+ ms\\)\n$',
    ].join('\n')));
    expect(readTree(dist)).toEqual(before);
    expect(fs.readdirSync(project).sort()).toEqual(['.fabric', 'claims', 'dist', 'package.json']);
  });
});

describe('the synth process', () => {
  test('exits with the command\'s code and prints its refusal on stderr', () => {
    setClaims([minimalMachine('a', { memory: { size: 256 } })]);
    const run = spawnSync(process.execPath, [path.join(REPO, 'bin', 'fabric.js'), 'synth', '--project', project], { cwd: project, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe([
      '1 problem found:',
      '  claims/a.yaml:10:11: Machine infra-machines/a: spec.memory.size must be at least 512 (MiB), got 256',
      'dist/ was left unchanged',
      '',
    ].join('\n'));
  }, 60_000);
});

describe('what synth prints when nothing changed', () => {
  test('says dist/ is unchanged, prints no plan and no "files written"', () => {
    const run = cli();
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^synth: 2 Machines, dist\/ unchanged \(\d+ ms, peak \d+ MiB\)\n$/);
  });

  test('npm run plan says the same', () => {
    const run = cli('--plan');
    expect(run.stdout).toMatch(/\nplan: 2 Machines, dist\/ unchanged \(\d+ ms\)\n$/);
  });
});

describe('--detailed-exitcode, as terraform plan has it', () => {
  test.each([
    ['nothing changes', [minimalMachine('a'), minimalMachine('b')], 0],
    ['a Machine changes in place', [minimalMachine('a', { tags: { role: 'dns' } }), minimalMachine('b')], 2],
    ['a Machine is added', [minimalMachine('a'), minimalMachine('b'), minimalMachine('c')], 2],
    ['a Machine is removed (destroys its VM)', [minimalMachine('a')], 3],
    ['a claim is invalid', [minimalMachine('a', { memory: { size: 2 } }), minimalMachine('b')], 1],
  ] as Array<[string, Doc[], number]>)('plan exits %#: %s → %s', (_reason, machines, code) => {
    setClaims(machines);
    expect(cli('--plan', '--detailed-exitcode').status).toBe(code);
  });

  test('a platform object that changes (a new Namespace) is a change, listed in the plan', () => {
    setClaims([minimalMachine('a'), minimalMachine('b'), { ...minimalMachine('c'), metadata: { name: 'c', namespace: 'lab' } }]);
    const run = cli('--plan', '--detailed-exitcode');
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('  +   Namespace lab: added\n');
  });

  test('an error is 1, not 2, even for bad usage', () => {
    expect(cli('--detailed-exitcode', '--out').status).toBe(1);
  });
});

describe('Machines in system namespaces', () => {
  test.each(['kube-system', 'kube-public', 'kube-node-lease', 'default', 'crossplane-system', 'argocd'])('%s is refused, naming file, Machine and field', (namespace) => {
    setClaims([{ ...minimalMachine('vm'), metadata: { name: 'vm', namespace } }]);
    const run = cli('--plan');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`  claims/vm.yaml:5:14: Machine ${namespace}/vm: metadata.namespace must not be a system namespace (argocd, crossplane-system, default, kube-*): Machines live in namespaces of their own, got "${namespace}"\n`);
  });
});

describe('--help', () => {
  test('lists every option the parser knows, and the exit codes', () => {
    const run = cli('--help');
    expect(run.status).toBe(0);
    for (const option of ['--plan', '--allow-destroy', '--detailed-exitcode', '--out <dir>', '--project <dir>', '--help']) expect(run.stdout).toContain(`  ${option} `);
    expect(run.stdout).toContain('exit codes:\n  0  done');
  });
});
