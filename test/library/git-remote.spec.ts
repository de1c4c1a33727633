/**
 * The repository Argo CD syncs from is never a silent default: package.json names it, or the project's git
 * remote `origin` does (as https, without credentials), or synth refuses with a message saying what to set.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as gitCheckout from '../../src/synth/git-checkout';
import { httpsRepoUrl, originUrl } from '../../src/synth/git-remote';
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

describe('git is started only where it could find a repository', () => {
  let root: string;
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-git-checkout-')); });
  afterEach(() => { fs.rmSync(root, { recursive: true, force: true }); jest.restoreAllMocks(); });

  test('a folder with no .git in it or above is in no checkout', () => {
    expect(gitCheckout.mayBeInGitCheckout(path.join(root, 'a', 'b'))).toBe(false);
  });

  test('a .git folder above, or a worktree\'s .git file, may be one', () => {
    fs.mkdirSync(path.join(root, 'repo', '.git', 'objects'), { recursive: true });
    fs.mkdirSync(path.join(root, 'repo', 'fleet', 'claims'), { recursive: true });
    expect(gitCheckout.mayBeInGitCheckout(path.join(root, 'repo', 'fleet', 'claims'))).toBe(true);
    fs.mkdirSync(path.join(root, 'worktree'));
    fs.writeFileSync(path.join(root, 'worktree', '.git'), 'gitdir: /elsewhere/.git/worktrees/worktree\n');
    expect(gitCheckout.mayBeInGitCheckout(path.join(root, 'worktree'))).toBe(true);
  });

  test('GIT_DIR names a repository wherever the folder is', () => {
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = path.join(root, 'elsewhere.git');
    try {
      expect(gitCheckout.mayBeInGitCheckout(root)).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR; else process.env.GIT_DIR = saved;
    }
  });

  test('outside any checkout, synth asks git nothing', () => {
    const project = tempProject({ 'vm.yaml': minimalMachine('vm') });
    // The module itself, as src/ calls its functions through it (a namespace import would be a copy).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const spawned = jest.spyOn(require('child_process') as typeof import('child_process'), 'spawnSync');
    try {
      expect(originUrl(project)).toBeUndefined();
      synthesize({ projectDir: project });
      expect(spawned.mock.calls.filter(([command]) => command === 'git')).toEqual([]);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
