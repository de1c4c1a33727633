/**
 * HEAD read from the repository's files (git-checkout.ts) is what `git rev-parse` says, in every layout a
 * checkout's refs take; where the files are not plain, it says nothing and git is asked.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkoutHeadFromFiles } from '../../src/synth/git-checkout';
import { git } from '../_helpers';

let repo: string;
const commit = (message: string) => {
  fs.writeFileSync(path.join(repo, 'file.txt'), message);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
};
/** What git says HEAD is, in `dir`. */
const revParse = (dir: string) => ({ top: git(dir, 'rev-parse', '--show-toplevel'), head: git(dir, 'rev-parse', 'HEAD') });

beforeEach(() => {
  repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-checkout-')));
  git(repo, 'init', '-q', '-b', 'main');
  commit('first');
});
afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

test('a branch in its loose file, from the top and from a folder below it', () => {
  fs.mkdirSync(path.join(repo, 'claims'));
  expect(checkoutHeadFromFiles(repo)).toEqual(revParse(repo));
  expect(checkoutHeadFromFiles(path.join(repo, 'claims'))).toEqual(revParse(repo));
});

test('a branch in packed-refs only, and a loose file newer than its packed line (the loose file wins, as in git)', () => {
  git(repo, 'pack-refs', '--all');
  expect(fs.existsSync(path.join(repo, '.git', 'refs', 'heads', 'main'))).toBe(false);
  expect(checkoutHeadFromFiles(repo)).toEqual(revParse(repo));
  const packed = revParse(repo).head;
  commit('second');
  expect(fs.readFileSync(path.join(repo, '.git', 'packed-refs'), 'utf8')).toContain(`${packed} refs/heads/main`);
  expect(checkoutHeadFromFiles(repo)).toEqual(revParse(repo));
  expect(checkoutHeadFromFiles(repo)!.head).not.toBe(packed);
});

test('a detached HEAD', () => {
  commit('second');
  git(repo, 'checkout', '-q', '--detach', 'HEAD~1');
  expect(checkoutHeadFromFiles(repo)).toEqual(revParse(repo));
});

test('a linked worktree: its own HEAD, the branches of the repository it belongs to', () => {
  const linked = `${repo}-linked`;
  try {
    git(repo, 'worktree', 'add', '-q', '-b', 'other', linked);
    fs.writeFileSync(path.join(linked, 'file.txt'), 'other');
    git(linked, 'commit', '-q', '-am', 'on other');
    expect(checkoutHeadFromFiles(linked)).toEqual(revParse(linked));
    expect(checkoutHeadFromFiles(linked)!.head).not.toBe(revParse(repo).head);
  } finally {
    fs.rmSync(linked, { recursive: true, force: true });
  }
});

test('a branch without a commit yet: the checkout, and no head', () => {
  const fresh = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-fresh-')));
  try {
    git(fresh, 'init', '-q');
    expect(checkoutHeadFromFiles(fresh)).toEqual({ top: fresh, head: undefined });
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
});

test('says nothing, so git is asked, where the files are not the whole story', () => {
  expect(checkoutHeadFromFiles(os.tmpdir())).toBeUndefined();
  process.env.GIT_WORK_TREE = repo;
  try {
    expect(checkoutHeadFromFiles(repo)).toBeUndefined();
  } finally {
    delete process.env.GIT_WORK_TREE;
  }
  git(repo, 'symbolic-ref', 'HEAD', 'refs/remotes/origin/main');
  expect(checkoutHeadFromFiles(repo)).toBeUndefined();
  git(repo, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  git(repo, 'config', 'core.worktree', repo);
  expect(checkoutHeadFromFiles(repo)).toBeUndefined();
});
