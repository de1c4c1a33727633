/**
 * `npm run package`: a Crossplane Configuration package folder holding crossplane.yaml, the XRD and the
 * Composition, nothing else, for either topology.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { CROSSPLANE_VERSION, PACKAGE_METADATA_FILE } from '../src/constructs/configuration-package';
import { renderPackage } from '../src/synth/configuration-package';
import { PACKAGE_COMMAND } from '../src/cli/_commands';
import { commandLine } from '../src/cli/_options';
import { dependencyName, PATCH_AND_TRANSFORM_PACKAGE, PROVIDER_TERRAFORM } from '../src/platform/crossplane-packages';
import { Topology } from '../src/api/topology';
import { BootstrapChannel } from '../src/nixos/bootstrap-channel';
import { resolveSettings } from '../src/synth/settings';
import { problemLines, validateTree, withConformance } from './_conformance';
import { find, objectsOf, readTree, REPO, TEST_REPO_URL } from './_helpers';
import { synthTopology } from './_topologies';

describe.each([
  [Topology.NAMESPACED, 'compositeresourcedefinition.machines.fabric.kubelize.io.yaml', 'composition.machine-proxmox-terraform.yaml'],
  [Topology.LEGACY, 'compositeresourcedefinition.xmachines.fabric.kubelize.io.yaml', 'composition.xmachine-proxmox-terraform.yaml'],
])('the %s package', (topology, xrdFile, compositionFile) => {
  const files = renderPackage(resolveSettings({ topology, gitops: { repoURL: TEST_REPO_URL } }));
  const objects = objectsOf(files);
  const metadata = YAML.parse(files.get(PACKAGE_METADATA_FILE)!);

  test('holds crossplane.yaml, the XRD and the Composition, nothing else', () => {
    expect([...files.keys()].sort()).toEqual([xrdFile, compositionFile, 'crossplane.yaml'].sort());
  });

  test('crossplane.yaml is a Configuration requiring Crossplane v2', () => {
    expect(metadata).toMatchObject({ apiVersion: 'meta.pkg.crossplane.io/v1', kind: 'Configuration', spec: { crossplane: { version: CROSSPLANE_VERSION } } });
  });

  test('depends on provider-terraform and function-patch-and-transform, pinned as the platform installs them', () => {
    const pinned = metadata.spec.dependsOn.map((d: any) => `${d.kind} ${d.package}:${d.version}`);
    expect(pinned).toEqual([`Provider ${PROVIDER_TERRAFORM.package}`, `Function ${PATCH_AND_TRANSFORM_PACKAGE}`]);
  });

  test('its Composition names the Function as Crossplane names the dependency it installs', () => {
    const composition = objects.find((o) => o.kind === 'Composition')!;
    expect(composition.spec.pipeline[0].functionRef.name).toBe('crossplane-contrib-function-patch-and-transform');
  });

  test('its XRD and Composition are exactly the ones the platform syncs', () => {
    const platform = synthTopology(topology, { bootstrap: BootstrapChannel.SNIPPET }).objectsIn();
    const packaged = renderPackage(resolveSettings({ topology, bootstrap: BootstrapChannel.SNIPPET, gitops: { repoURL: TEST_REPO_URL } }));
    for (const object of objectsOf(packaged).filter((o) => o.kind !== 'Configuration')) {
      expect(object.spec).toEqual(find(platform, object.kind, object.metadata.name).spec);
      expect(object.metadata.annotations).toBeUndefined();
    }
  });

  withConformance('passes the conformance validator', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-package-'));
    for (const [file, text] of files) fs.writeFileSync(path.join(dir, file), text);
    const report = validateTree(dir);
    expect(problemLines(report, 'error')).toEqual([]);
    expect(report.documents).toBe(3);
  });
});

describe('dependencyName', () => {
  test.each([
    ['registry and tag dropped, path joined by dashes', 'xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform:v0.10.8', 'crossplane-contrib-function-patch-and-transform'],
    ['a digest instead of a tag', 'xpkg.upbound.io/upbound/provider-terraform@sha256:abc', 'upbound-provider-terraform'],
  ])('%s', (_reason, reference, name) => {
    expect(dependencyName(reference)).toBe(name);
  });
});

describe('npm run package', () => {
  test('writes the package folder to --out, replacing what was there', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-package-')), 'package');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'stale.yaml'), 'stale: true\n');
    const run = spawnSync(process.execPath, [path.join(REPO, 'bin', 'fabric.js'), 'package', '--out', out], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/next: crossplane xpkg build --package-root /);
    const settings = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).fabric;
    expect(readTree(out)).toEqual(Object.fromEntries(renderPackage(resolveSettings(settings))));
  });

  test('refuses --out without a directory, and lists its options with --help', () => {
    // The command line is parsed from its table (cli/_commands.ts) before anything runs; in-process here.
    const printed: string[] = [];
    jest.spyOn(console, 'error').mockImplementation((text: string) => { printed.push(text); });
    jest.spyOn(console, 'log').mockImplementation((text: string) => { printed.push(text); });
    try {
      expect(commandLine(PACKAGE_COMMAND, ['--out'], 'package')).toBe(2);
      expect(commandLine(PACKAGE_COMMAND, ['--help'], 'package')).toBe(0);
    } finally {
      jest.restoreAllMocks();
    }
    expect(printed[0]).toBe('package: --out needs a value: --out <dir>');
    expect(printed[1]).toContain('  --out <dir>  the package folder; default: build/package/\n');
  });
});
