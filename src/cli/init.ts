/**
 * `npm run init`: starts your own fleet from a fresh clone. Removes the example claims shipped in claims/,
 * names the repository Argo CD syncs from in package.json (--repo-url, else the git remote origin), and
 * writes a dist/ without the example Machines. Running it is the consent to drop the examples: their
 * removal is recorded for the destroy guard (removal-consent.ts), so neither init nor the next synth asks
 * for --allow-destroy. It refuses when claims/ holds anything but the examples: it never removes your own.
 */
import * as fs from 'fs';
import * as path from 'path';
import { findClaimFiles } from '../synth/claims';
import { httpsRepoUrl, originUrl } from '../synth/git-remote';
import { formatPlan } from '../synth/plan';
import { synthesize } from '../synth/synthesize';
import { INIT_COMMAND } from './_commands';
import { commandLine } from './_options';

/** The example claims this repository ships. */
export const EXAMPLE_CLAIMS = ['claims/basic.ts', 'claims/dns01.ts', 'claims/docker01.ts', 'claims/test-vm.ts'] as const;

export function initCommand(argv: readonly string[], defaultProject: string): number {
  const parsed = commandLine(INIT_COMMAND, argv, 'init', 1);
  if (typeof parsed === 'number') return parsed;
  const option = (name: string) => { const value = parsed.values.get(name); return typeof value === 'string' ? value : undefined; };
  const projectDir = path.resolve(option('--project') ?? defaultProject);

  const claims = findClaimFiles(projectDir).filter((file) => !path.posix.basename(file).startsWith('_'));
  const own = claims.filter((file) => !(EXAMPLE_CLAIMS as readonly string[]).includes(file));
  if (own.length > 0) {
    console.error(`init: claims/ already holds Machines other than the examples (${own.join(', ')}); init starts a fresh fleet and never removes your own claims.\n`
      + `Your fleet has begun already: edit claims/ and run npm run synth. To drop example claims still there, delete their files and run npm run synth -- --allow-destroy.`);
    return 1;
  }
  const remote = originUrl(projectDir);
  const repoURL = option('--repo-url') ?? (remote === undefined ? undefined : httpsRepoUrl(remote));
  if (!repoURL) {
    console.error('init: no repository for Argo CD to sync from: the project has no git remote "origin" with a network URL; pass --repo-url https://...');
    return 1;
  }

  const manifestFile = path.join(projectDir, 'package.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  manifest.fabric = { ...manifest.fabric, gitops: { ...manifest.fabric?.gitops, repoURL } };
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  for (const file of claims) fs.rmSync(path.join(projectDir, file));
  const result = synthesize({ projectDir, allowDestroy: true });

  console.log(`init: removed the example claims ${claims.length > 0 ? claims.join(', ') : '(none were left)'}`);
  console.log(`init: Argo CD syncs from ${repoURL} (package.json fabric.gitops.repoURL)`);
  console.log(formatPlan(result.plan));
  console.log('init: dist/ written without the example Machines; commit claims/, dist/ and package.json, then add your own claims');
  return 0;
}
