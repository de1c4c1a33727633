/**
 * Synth refuses a key that the XRD's pattern lets through but `ssh-keygen -l` (which Proxmox runs on every
 * key) refuses, naming file, Machine, field, rule and reason, and leaves dist/ as it was.
 */
import * as fs from 'fs';
import * as path from 'path';
import { OPENSSH_PUBLIC_KEY } from '../../src/api/machine-schema';
import { synthesize } from '../../src/synth/synthesize';
import { formatProblem, ValidationError } from '../../src/validation/problem';
import { minimalMachine, readTree, tempProject, TEST_SSH_KEY } from '../_helpers';

/** The kind of key the examples used to carry: the right prefix, then text that is no key at all. */
const PLACEHOLDER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBasicExampleKeyForFabricDocsOnly00000000 admin@homelab';

function machineWithKeys(keys: string[]) {
  return minimalMachine('test-vm', { bootstrap: { sshAuthorizedKeys: keys } });
}

describe('SSH keys at synth time', () => {
  test('a placeholder key passes the XRD pattern, which cannot decode it', () => {
    expect(PLACEHOLDER_KEY).toMatch(new RegExp(OPENSSH_PUBLIC_KEY));
  });

  test('synth refuses it with the field, the rule and the reason, and writes nothing', () => {
    const project = tempProject({ 'test-vm.yaml': machineWithKeys([TEST_SSH_KEY, PLACEHOLDER_KEY]) });
    const outDir = path.join(project, 'dist');
    fs.mkdirSync(outDir);
    fs.writeFileSync(path.join(outDir, 'kept.yaml'), 'kept: true\n');
    let error: unknown;
    try {
      synthesize({ projectDir: project, outDir });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map(formatProblem)).toEqual([
      'claims/test-vm.yaml:23:9: Machine infra-machines/test-vm: spec.bootstrap.sshAuthorizedKeys[1] must be a public key ssh-keygen -l accepts (Proxmox checks every key with it): the key is not valid base64',
    ]);
    expect(readTree(outDir)).toEqual({ 'kept.yaml': 'kept: true\n' });
    fs.rmSync(project, { recursive: true, force: true });
  });

  test('every bad key of a Machine is reported, each at its index', () => {
    const [type, base64] = TEST_SSH_KEY.split(' ');
    const shortened = `${type} ${base64.slice(0, -4)}`;
    const project = tempProject({ 'test-vm.yaml': machineWithKeys([PLACEHOLDER_KEY, TEST_SSH_KEY, shortened]) });
    try {
      synthesize({ projectDir: project, outDir: path.join(project, 'dist') });
      throw new Error('synth accepted the keys');
    } catch (error) {
      expect((error as ValidationError).problems.map((problem) => problem.path)).toEqual([
        'spec.bootstrap.sshAuthorizedKeys[0]',
        'spec.bootstrap.sshAuthorizedKeys[2]',
      ]);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
