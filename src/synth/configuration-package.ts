/**
 * The Machine API as a Crossplane Configuration package folder (src/constructs/configuration-package.ts),
 * rendered to files: for `npm run package`, and crossplane.yaml alone for dist/package/.
 */
import { App, Chart, Yaml } from 'cdk8s';
import { ConfigurationMetadata, ConfigurationPackage, META_API_VERSION, PACKAGE_METADATA_FILE } from '../constructs/configuration-package';
import { KubernetesObject, objectFileName } from './render';
import { FabricSettings } from './settings';

/** crossplane.yaml alone, as synth keeps it in dist/package/ (outside what ArgoCD applies). */
export function renderPackageMetadata(settings: FabricSettings): string {
  const chart = new Chart(new App(), 'package');
  new ConfigurationMetadata(chart, 'Metadata', { topology: settings.topology, source: settings.gitops.repoURL });
  return Yaml.stringify(chart.toJson()[0]);
}

/** The package folder's files, file name → YAML. */
export function renderPackage(settings: FabricSettings): Map<string, string> {
  const chart = new Chart(new App(), 'package');
  const { topology, insecureSkipTlsVerify, bootstrap, snippetDatastore } = settings;
  new ConfigurationPackage(chart, 'Package', { topology, source: settings.gitops.repoURL, insecureSkipTlsVerify, bootstrap, snippetDatastore });
  const files = new Map<string, string>();
  for (const object of chart.toJson() as KubernetesObject[]) {
    const file = object.apiVersion === META_API_VERSION ? PACKAGE_METADATA_FILE : objectFileName(object);
    files.set(file, Yaml.stringify(object));
  }
  return files;
}


