// examples/homelab, a cdk8s app of its own, run against the packed library as a user gets it from npm:
// `npm pack` of this project's lib/, unpacked into the example's node_modules/@kubelize/fabric, with plain node.
// Its dependencies (cdk8s, constructs, cdk8s-plus-28, ajv, ...) are this project's installed ones, linked, so
// the test needs no network after `npm ci`.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import * as YAML from 'yaml';
import { REPO } from './_helpers';
import { validateAgainstSchema } from '../src/validation/schema-validation';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { libIsCurrent } = require('../bin/lib-freshness') as { libIsCurrent(project: string): boolean };

let work: string;
let appDir: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-example-'));
  // `npm test` has just brought lib/ up to date (tsc -b). Packing without the prepare script keeps lib/ in
  // place: prepare's clean build would delete it under the other test workers, which run synth from it.
  expect(libIsCurrent(REPO)).toBe(true);
  const pack = spawnSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: REPO, encoding: 'utf8' });
  expect(pack.status).toBe(0);
  const tarball = path.join(work, pack.stdout.trim().split('\n').pop()!);
  appDir = path.join(work, 'app');
  fs.cpSync(path.join(REPO, 'examples', 'homelab'), appDir, { recursive: true });
  const modules = path.join(appDir, 'node_modules');
  fs.mkdirSync(path.join(modules, '@kubelize', 'fabric'), { recursive: true });
  for (const entry of fs.readdirSync(path.join(REPO, 'node_modules'))) {
    if (entry !== '@kubelize') fs.symlinkSync(path.join(REPO, 'node_modules', entry), path.join(modules, entry));
  }
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', path.join(modules, '@kubelize', 'fabric'), '--strip-components=1']);
  expect(untar.status).toBe(0);
}, 60_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function runApp(env: Record<string, string> = {}) {
  const outdir = fs.mkdtempSync(path.join(work, 'out-'));
  const run = spawnSync(process.execPath, ['app.js'], { cwd: appDir, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: outdir, ...env } });
  const objects = fs.readdirSync(outdir).flatMap((file) =>
    YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, file), 'utf8')).map((d) => d.toJS() as Record<string, any>));
  return { status: run.status, stderr: run.stderr, objects };
}

/**
 * The pinned upstream CRDs' schemas by `apiVersion/kind`, each compiled with ajv the first time it is asked for
 * (Argo CD's Application schema alone takes most of a second and the example writes none).
 */
function crdValidators() {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const schemas = new Map<string, Record<string, unknown>>();
  const dir = path.join(REPO, 'imports', 'crds');
  for (const file of fs.readdirSync(dir)) {
    const crd = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    for (const version of crd.spec.versions) schemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, version.schema.openAPIV3Schema);
  }
  const compiled = new Map<string, ReturnType<Ajv['compile']>>();
  return {
    has: (key: string) => schemas.has(key),
    get: (key: string) => compiled.get(key) ?? compiled.set(key, ajv.compile(schemas.get(key)!)).get(key)!,
  };
}

test.each(['namespaced', 'legacy'])('the example app (%s), built on the packed library, writes its Machines with their Namespaces, all passing the Machine schema and the pinned CRDs', (topology) => {
  const { status, stderr, objects } = runApp({ FABRIC_TOPOLOGY: topology });
  expect(stderr).toBe('');
  expect(status).toBe(0);
  const machines = objects.filter((o) => o.kind === 'Machine');
  expect(machines.map((m) => `${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual(['lab/web01', 'lab/web02', 'network/dns01']);
  for (const machine of machines) {
    // A claim adds Crossplane's own claim field to the Machine API's spec (the claim CRD Crossplane derives).
    const { compositeDeletePolicy, ...spec } = machine.spec;
    expect(compositeDeletePolicy).toBe(topology === 'legacy' ? 'Background' : undefined);
    expect(validateAgainstSchema(structuredClone({ ...machine, spec }))).toEqual([]);
  }
  // Each namespace once, never pruned with a git change (it would take its Machines' VMs with it).
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  expect(namespaces.map((n) => n.metadata.name).sort()).toEqual(['lab', 'network']);
  for (const namespace of namespaces) expect(namespace.metadata.annotations['argocd.argoproj.io/sync-options']).toContain('Prune=false');
  expect(objects.some((o) => o.kind === 'Deployment')).toBe(true);

  const validators = crdValidators();
  const checked = objects.filter((o) => validators.has(`${o.apiVersion}/${o.kind}`));
  expect(checked.map((o) => o.kind).sort()).toEqual(
    [topology === 'legacy' ? 'ProviderConfig' : 'ClusterProviderConfig', 'Composition', 'CompositeResourceDefinition', 'DeploymentRuntimeConfig', 'Function', 'Provider'].sort());
  for (const object of checked) {
    const validate = validators.get(`${object.apiVersion}/${object.kind}`);
    expect({ object: `${object.kind}/${object.metadata.name}`, valid: validate(object), errors: validate.errors ?? null })
      .toEqual({ object: `${object.kind}/${object.metadata.name}`, valid: true, errors: null });
  }
}, 60_000);

test('the example app refuses a Machine with too little memory, naming spec.memory.size, and writes nothing', () => {
  const { status, stderr, objects } = runApp({ WEB01_MEMORY: '256' });
  expect(status).not.toBe(0);
  expect(stderr).toMatch(/Machine lab\/web01: spec\.memory\.size must be at least 512 \(MiB\), got 256/);
  expect(objects).toEqual([]);
}, 60_000);
