/**
 * The repository Argo CD syncs from is never a silent default: package.json names it, or the project's git
 * remote `origin` does (as https, without credentials), or synth refuses with a message saying what to set.
 */
import * as fs from 'fs';
import { httpsRepoUrl } from '../../src/synth/git-remote';
import { loadSettings, resolveSettings } from '../../src/synth/settings';
import { synthesize } from '../../src/synth/synthesize';
import { git, minimalMachine, tempProject } from '../_helpers';

describe('httpsRepoUrl', () => {
  test.each([
    ['scp-like SSH', 'git@github.com:you/fleet.git', 'https://github.com/you/fleet.git'],
    ['ssh:// with a port', 'ssh://git@git.example.org:2222/team/fleet.git', 'https://git.example.org/team/fleet.git'],
    ['https with credentials, which must not reach dist/', 'https://user:ghp_secret@github.com/you/fleet.git', 'https://github.com/you/fleet.git'],
    ['https as it is', 'https://gitlab.com/group/sub/fleet', 'https://gitlab.com/group/sub/fleet'],
    ['a local path is no network repository', '/srv/git/fleet.git', undefined],
    ['file:// likewise', 'file:///srv/git/fleet.git', undefined],
  ])('%s', (_reason, remote, url) => {
    expect(httpsRepoUrl(remote)).toBe(url);
  });
});

describe('the Argo CD source repository', () => {
  let project: string;
  beforeEach(() => { project = tempProject({ 'vm.yaml': minimalMachine('vm') }, { gitops: { repoURL: undefined } }); });
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  test('is taken from the git remote origin when package.json names none', () => {
    git(project, 'init', '-q');
    git(project, 'remote', 'add', 'origin', 'git@github.com:you/fleet.git');
    expect(loadSettings(project).gitops.repoURL).toBe('https://github.com/you/fleet.git');
    const { files } = synthesize({ projectDir: project, dryRun: true });
    expect(files.get('argocd/application.argocd.fabric.yaml')).toContain('repoURL: https://github.com/you/fleet.git');
  });

  test('is required, with what to set, when there is no remote', () => {
    expect(() => synthesize({ projectDir: project, dryRun: true })).toThrow(
      'package.json: fabric.gitops.repoURL is not set and the project has no git remote "origin"; set it to the repository Argo CD syncs dist/ from, e.g. "https://github.com/you/fleet.git"',
    );
  });

  test('package.json wins over the remote', () => {
    const named = tempProject({}, { gitops: { repoURL: 'https://git.example.org/named.git' } });
    git(named, 'init', '-q');
    git(named, 'remote', 'add', 'origin', 'git@github.com:you/fleet.git');
    expect(loadSettings(named).gitops.repoURL).toBe('https://git.example.org/named.git');
    fs.rmSync(named, { recursive: true, force: true });
  });
});

test('settings resolved without a repository are refused, never given a default one', () => {
  expect(() => resolveSettings({ topology: undefined })).toThrow('package.json: fabric.gitops.repoURL is not set: the repository Argo CD syncs dist/ from');
});
