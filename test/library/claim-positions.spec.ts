/**
 * Every problem of a YAML claim names the position of the node it is about, as an editor counts (1-based
 * line and column), in the form parse errors use; TypeScript claims keep the file alone.
 */
import * as fs from 'fs';
import { withPositions } from '../../src/synth/claim-positions';
import { synthesize } from '../../src/synth/synthesize';
import { formatProblem, ValidationError } from '../../src/validation/problem';
import { TEST_SSH_KEY, tempProject } from '../_helpers';

/** The formatted refusal of a project holding `claims` (file → text). */
function refused(claims: Record<string, string>): string[] {
  const project = tempProject(claims);
  try {
    synthesize({ projectDir: project, dryRun: true });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.problems.map(formatProblem);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
  throw new Error('synth accepted the claims');
}

/** A Machine document whose spec lines (indented two spaces) are `spec`; 5 lines come before them. */
const claim = (name: string, spec: string) =>
  `apiVersion: fabric.kubelize.io/v1alpha1\nkind: Machine\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

const BASE = '  cpu:\n    cores: 2\n  proxmox:\n    node: pve\n';

describe('a problem of a YAML claim names its line and column', () => {
  test('the value of a nested field', () => {
    expect(refused({ 'x.yaml': claim('x', `${BASE}  memory:\n    size: 256\n`) })).toEqual([
      'claims/x.yaml:11:11: Machine infra-machines/x: spec.memory.size must be at least 512 (MiB), got 256',
    ]);
  });

  test('the value inside a flow mapping, and the element of a sequence', () => {
    expect(refused({ 'x.yaml': claim('x', `${BASE}  memory: {size: 1024}\n  dataDisks:\n    - size: 10\n    - {size: 0}\n`) })).toEqual([
      'claims/x.yaml:13:14: Machine infra-machines/x: spec.dataDisks[1].size must be at least 1 (GiB), got 0',
    ]);
  });

  test('the key of an unknown field, with its suggestion', () => {
    expect(refused({ 'x.yaml': claim('x', `${BASE}  memory: {size: 1024}\n  memroy:\n    size: 2048\n`) })).toEqual([
      'claims/x.yaml:11:3: Machine infra-machines/x: spec.memroy is not a field of the Machine API (the API server would silently drop it); known fields: hostname, cpu, memory, disk, dataDisks, network, proxmox, nix, bootstrap, tags, deletionPolicy; did you mean `memory`?',
    ]);
  });

  test('the key of a field misplaced beside spec', () => {
    expect(refused({ 'x.yaml': `deletionPolicy: Delete\n${claim('x', `${BASE}  memory: {size: 1024}\n`)}` })).toEqual([
      'claims/x.yaml:1:1: Machine infra-machines/x: deletionPolicy is not a field of the Machine API (the API server would silently drop it)',
    ]);
  });

  test('the key of the nearest mapping there is, for a missing required field', () => {
    expect(refused({ 'x.yaml': claim('x', `${BASE}  memory:\n    hugepages: false\n`) })).toEqual([
      'claims/x.yaml:10:3: Machine infra-machines/x: spec.memory.size is required',
      'claims/x.yaml:11:5: Machine infra-machines/x: spec.memory.hugepages is not a field of the Machine API (the API server would silently drop it); known fields: size',
    ]);
    expect(refused({ 'x.yaml': 'apiVersion: fabric.kubelize.io/v1alpha1\nkind: Machine\nmetadata: {name: x}\n' })).toEqual([
      'claims/x.yaml:1:1: Machine infra-machines/x: spec is required',
    ]);
  });

  test('the value a CEL rule refuses, and the mapping a rule finds a field missing in', () => {
    expect(refused({ 'x.yaml': claim('x', `${BASE}  memory: {size: 1024}\n  network:\n    ip: 10.0.1.10\n    cidr: 24\n    gateway: 10.0.2.1\n`) })).toEqual([
      'claims/x.yaml:14:14: Machine infra-machines/x: spec.network.gateway must lie inside 10.0.1.0/24, the subnet of ip 10.0.1.10, got "10.0.2.1"',
    ]);
    expect(refused({ 'x.yaml': claim('x', `${BASE}  memory: {size: 1024}\n  network:\n    ip: 10.0.1.10\n`) })).toEqual([
      'claims/x.yaml:11:3: Machine infra-machines/x: spec.network.gateway is required when ip is set',
    ]);
  });

  test('the element of an array an SSH key check refuses', () => {
    const keys = `  bootstrap:\n    sshAuthorizedKeys:\n      - ${TEST_SSH_KEY}\n      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBAD\n`;
    expect(refused({ 'x.yaml': claim('x', `${BASE}  memory: {size: 1024}\n${keys}`) })).toEqual([
      'claims/x.yaml:14:9: Machine infra-machines/x: spec.bootstrap.sshAuthorizedKeys[1] must be a public key ssh-keygen -l accepts (Proxmox checks every key with it): the key is truncated',
    ]);
  });

  test('in the document it is in, empty documents counted as the file has them', () => {
    const text = `# two Machines\n---\n---\n${claim('a', `${BASE}  memory: {size: 1024}\n`)}---\n${claim('b', `${BASE}  memory: {size: 1}\n`)}`;
    expect(refused({ 'x.yaml': text })).toEqual([
      'claims/x.yaml:24:18: Machine infra-machines/b: spec.memory.size must be at least 512 (MiB), got 1; memory.size is in MiB: 1 GiB is 1024',
    ]);
  });

  test('of the Machine a fleet rule reports on, and of a system namespace', () => {
    const network = '  network: {ip: 10.0.1.10, cidr: 24, gateway: 10.0.1.1}\n';
    expect(refused({
      'a.yaml': claim('a', `${BASE}  memory: {size: 1024}\n${network}`),
      'b.yaml': `---\n${claim('b', `${BASE}  memory: {size: 1024}\n${network}`)}`,
      'c.yaml': claim('c', `${BASE}  memory: {size: 1024}\n`).replace('  name: c\n', '  name: c\n  namespace: kube-system\n'),
    })).toEqual([
      'claims/b.yaml:12:17: Machine infra-machines/b: spec.network.ip "10.0.1.10" is already the static ip of Machine infra-machines/a (claims/a.yaml:4)',
      'claims/c.yaml:5:14: Machine kube-system/c: metadata.namespace must not be a system namespace (argocd, crossplane-system, default, kube-*): Machines live in namespaces of their own, got "kube-system"',
    ]);
  });

  test('the start of the Machine for a problem with no field', () => {
    const project = tempProject({ 'x.yaml': `# header\n---\n${claim('x', `${BASE}  memory: {size: 1024}\n`)}` });
    try {
      expect(withPositions(project, [{ file: 'claims/x.yaml', index: 0, machine: 'infra-machines/x', message: 'is wrong' }]).map(formatProblem))
        .toEqual(['claims/x.yaml:3:1: Machine infra-machines/x: is wrong']);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});

test('a problem of a TypeScript claim names the file alone, as before', () => {
  const spec = { cpu: { cores: 2 }, memory: { size: 256 }, proxmox: { node: 'pve' } };
  expect(refused({ 'x.ts': `export default ${JSON.stringify({ metadata: { name: 'x' }, spec }, null, 2)};\n` })).toEqual([
    'claims/x.ts: Machine infra-machines/x: spec.memory.size must be at least 512 (MiB), got 256',
  ]);
});
