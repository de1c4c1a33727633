/**
 * `npm run package [-- --out <dir>]` writes the Machine API as a Crossplane Configuration package folder
 * (crossplane.yaml, the XRD, the Composition; see src/constructs/configuration-package.ts), by default build/package/,
 * outside dist/ so that neither ArgoCD nor synth's atomic dist/ swap ever touches it. Then:
 * `crossplane xpkg build --package-root build/package`.
 * Exit codes: 0 done, 2 failure (the folder is left as it was).
 */
import * as path from 'path';
import { renderPackage } from '../synth/configuration-package';
import { writeTreeAtomically } from '../synth/dist-writer';
import { loadSettings } from '../synth/settings';
import { PACKAGE_COMMAND } from './_commands';
import { commandLine } from './_options';
import { projectDir as currentProject } from './_project-dir';

export const DEFAULT_PACKAGE_DIR = path.join('build', 'package');

function main(argv: readonly string[]): number {
  const projectDir = currentProject();
  const parsed = commandLine(PACKAGE_COMMAND, argv, 'package');
  if (typeof parsed === 'number') return parsed;
  const out = parsed.values.get('--out');
  const outDir = path.resolve(typeof out === 'string' ? out : path.join(projectDir, DEFAULT_PACKAGE_DIR));
  try {
    const settings = loadSettings(projectDir);
    const files = renderPackage(settings);
    writeTreeAtomically(outDir, files);
    console.log(`package: ${[...files.keys()].sort().join(', ')} written to ${path.relative(process.cwd(), outDir) || '.'}/ (${settings.topology} topology)`);
    console.log(`next: crossplane xpkg build --package-root ${path.relative(process.cwd(), outDir) || '.'}`);
    return 0;
  } catch (error) {
    console.error(`package failed: ${(error as Error).message}`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
