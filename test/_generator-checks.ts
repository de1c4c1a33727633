/**
 * A check that a generator's committed output is current (docs/api/ by TypeDoc, imports/ by `npm run import`)
 * is remembered, as `tsc -b` remembers a project it has checked: once a fresh run of the generator matched the
 * committed files, the same inputs and the same committed files are not generated again. The record holds a
 * hash of every input and every output file's path and content, in node_modules/.cache/ (outside the repository;
 * `npm ci` starts without it). In this project's CI (FABRIC_REQUIRE_TOOLS=1, set by .ci/run) the generators always run.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readTree, REPO } from './_helpers';

export interface GeneratorCheck {
  readonly name: string;
  /** How the generator is run: a change to it is a change of input. */
  readonly command: readonly string[];
  /** Files and folders, relative to the repository, the generator reads. */
  readonly inputs: readonly string[];
  /** Files and folders, relative to the repository, the generator's output is compared with. */
  readonly outputs: readonly string[];
  /** The repository; this one unless a test of this module says otherwise. */
  readonly root?: string;
}

function recordsFile(check: GeneratorCheck): string {
  return path.join(check.root ?? REPO, 'node_modules', '.cache', 'fabric-tests', 'generator-checks.json');
}

/** A hash of the check's command and of every input and output file's path and content. */
function stateOf(check: GeneratorCheck): string {
  const root = check.root ?? REPO;
  const hash = createHash('sha256').update(JSON.stringify(check.command));
  for (const entry of [...check.inputs, ...check.outputs]) {
    const full = path.join(root, entry);
    const files = !fs.existsSync(full) ? {} : fs.statSync(full).isDirectory() ? readTree(full) : { '': fs.readFileSync(full, 'utf8') };
    for (const file of Object.keys(files).sort()) hash.update(`${path.join(entry, file)}\0${files[file].length}\0${files[file]}`);
  }
  return hash.digest('hex');
}

function records(check: GeneratorCheck): Record<string, string> {
  try {
    return JSON.parse(fs.readFileSync(recordsFile(check), 'utf8'));
  } catch {
    return {};
  }
}

/** Whether a fresh run of the generator matched these very inputs and outputs before (never in this project's CI). */
export function passedBefore(check: GeneratorCheck): boolean {
  return process.env.FABRIC_REQUIRE_TOOLS !== '1' && records(check)[check.name] === stateOf(check);
}

/** Records that a fresh run of the generator has just matched the committed outputs. */
export function recordPass(check: GeneratorCheck): void {
  const file = recordsFile(check);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Renamed into place: a reader sees the old records or the new. Two workers recording at once may lose one
  // record, which costs one more run of its generator.
  const temporary = `${file}.${process.pid}`;
  fs.writeFileSync(temporary, JSON.stringify({ ...records(check), [check.name]: stateOf(check) }));
  fs.renameSync(temporary, file);
}
