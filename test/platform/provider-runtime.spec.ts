/**
 * provider-terraform's package path, concurrency, poll interval and pod size, as they land in dist/.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { synthesize } from '../../src/synth/synthesize';
import { minimalMachine, REPO, tempProject } from '../_helpers';

const PLATFORM = path.join('cluster', 'platform', 'packages');
const readYaml = (dir: string, file: string) => YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
const runtimeConfigIn = (dist: string) => readYaml(dist, path.join(PLATFORM, 'deploymentruntimeconfig.provider-terraform.yaml'));
const providerContainer = (runtimeConfig: any) =>
  runtimeConfig.spec.deploymentTemplate.spec.template.spec.containers.find((c: any) => c.name === 'package-runtime');

function synthWith(fabric: object): string {
  const project = tempProject({ 'test-vm.yaml': minimalMachine() }, fabric);
  synthesize({ projectDir: project, outDir: path.join(project, 'dist') });
  return path.join(project, 'dist');
}

describe('the committed dist/', () => {
  const dist = path.join(REPO, 'dist');

  test('installs provider-terraform v1.0.0 from crossplane-contrib, where the project publishes it', () => {
    expect(readYaml(dist, path.join(PLATFORM, 'provider.provider-terraform.yaml')).spec.package)
      .toBe('xpkg.crossplane.io/crossplane-contrib/provider-terraform:v1.0.0');
    const dependsOn = readYaml(dist, path.join('package', 'crossplane.yaml')).spec.dependsOn;
    expect(dependsOn).toContainEqual(expect.objectContaining({ package: 'xpkg.crossplane.io/crossplane-contrib/provider-terraform', version: 'v1.0.0' }));
  });

  test('runs ten Terraform reconciles at once, re-plans every 10 minutes and kills a run after 45', () => {
    expect(providerContainer(runtimeConfigIn(dist)).args).toEqual(['--timeout=45m', '--poll=10m', '--max-reconcile-rate=10']);
  });

  test('turns the plugin cache off, so no reconcile waits on another\'s init or apply (provider-terraform locks only with it)', () => {
    expect(readYaml(dist, path.join('cluster', 'platform', 'provider-config', 'clusterproviderconfig.fabric-proxmox.yaml')).spec.pluginCache).toBe(false);
  });

  test('sizes the pod for the controller plus ten Terraform runs', () => {
    expect(providerContainer(runtimeConfigIn(dist)).resources).toEqual({
      requests: { cpu: '1100m', memory: '2688Mi' },
      limits: { cpu: '5500m', memory: '2688Mi' },
    });
  });
});

describe('fabric.provider settings', () => {
  test('change the flags and the pod size together', () => {
    const dist = synthWith({ provider: { maxReconcileRate: 4, pollMinutes: 30, memoryPerReconcileMiB: 512, cpuPerReconcileMillicores: 250 } });
    const container = providerContainer(runtimeConfigIn(dist));
    expect(container.args).toEqual(['--timeout=45m', '--poll=30m', '--max-reconcile-rate=4']);
    expect(container.resources).toEqual({
      requests: { cpu: '1100m', memory: '2176Mi' },
      limits: { cpu: '5500m', memory: '2176Mi' },
    });
  });

  test.each([
    ['no concurrency at all', { maxReconcileRate: 0 }, /^package\.json: fabric\.provider\.maxReconcileRate must be a whole number from 1 to 100, got 0$/],
    ['a string', { pollMinutes: '10m' }, /^package\.json: fabric\.provider\.pollMinutes must be a whole number from 1 to 1440, got "10m"$/],
    ['a fraction of a MiB', { memoryPerReconcileMiB: 256.5 }, /^package\.json: fabric\.provider\.memoryPerReconcileMiB must be a whole number from 64 to 8192, got 256\.5$/],
  ])('refuse %s', (_reason, provider, message) => {
    const project = tempProject({ 'test-vm.yaml': minimalMachine() }, { provider });
    expect(() => synthesize({ projectDir: project, outDir: path.join(project, 'dist') })).toThrow(message);
  });
});
