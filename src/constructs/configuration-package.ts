/**
 * The Machine API as a Crossplane Configuration package, for clusters that install packages rather than
 * sync dist/cluster/platform: `crossplane.yaml` (the Crossplane version and the provider and function the
 * Composition needs, pinned as the platform installs them), the XRD and the Composition of the project's
 * topology, and nothing else, ready for `crossplane xpkg build --package-root <dir>`. The provider config,
 * its runtime config and the credentials Secret stay the cluster's to create.
 *
 * The platform names its Function as Crossplane names a dependency it installs
 * (`crossplane-contrib-function-patch-and-transform`), so the packaged Composition is the platform's own.
 * The package and the platform of dist/cluster/ are two ways to install the API; use one per cluster.
 *
 * @see https://docs.crossplane.io/latest/packages/configurations/
 * @see https://docs.crossplane.io/latest/cli/command-reference/#xpkg-build
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Function as CrossplaneFunction, Provider } from '../../imports/pkg.crossplane.io';
import { MachineComposition } from './machine-composition';
import { PATCH_AND_TRANSFORM_PACKAGE, PROVIDER_TERRAFORM } from '../platform/crossplane-packages';
import { MachineDefinition } from './machine-definition';
import { Topology } from '../api/topology';
import { BootstrapChannel } from '../nixos/bootstrap-channel';

/** The package metadata file `crossplane xpkg build` looks for at the package root. */
export const PACKAGE_METADATA_FILE = 'crossplane.yaml';
export const CONFIGURATION_NAME = 'fabric';
/** Both topologies use Crossplane v2 features (Pipeline Compositions, namespaced managed resources). */
export const CROSSPLANE_VERSION = '>=v2.0.0';

export const META_API_VERSION = 'meta.pkg.crossplane.io/v1';

/** One `dependsOn` entry of package metadata (apis/pkg/meta/v1 Dependency). */
export interface PackageDependency {
  readonly apiVersion: string;
  readonly kind: string;
  /** The OCI repository, without tag. */
  readonly package: string;
  /** A semantic version constraint; a bare version pins it exactly. */
  readonly version: string;
}

/**
 * meta.pkg.crossplane.io/v1 Configuration, the content of crossplane.yaml. Package metadata is read by
 * the package manager, never served by an API server, so there is no CRD to generate a binding from.
 */
export interface ConfigurationMetadataSpec {
  readonly crossplane: { readonly version: string };
  readonly dependsOn: readonly PackageDependency[];
}

export interface ConfigurationMetadataProps {
  /** The topology the packaged Machine API takes. */
  readonly topology: Topology;
  /** Where the package's source lives (the meta.crossplane.io/source annotation). */
  readonly source: string;
}

/** crossplane.yaml: the Configuration's metadata. */
export class ConfigurationMetadata extends Construct {
  constructor(scope: Construct, id: string, props: ConfigurationMetadataProps) {
    super(scope, id);
    const spec: ConfigurationMetadataSpec = {
      crossplane: { version: CROSSPLANE_VERSION },
      dependsOn: [dependency(Provider.GVK, PROVIDER_TERRAFORM.package), dependency(CrossplaneFunction.GVK, PATCH_AND_TRANSFORM_PACKAGE)],
    };
    new ApiObject(this, 'Resource', {
      apiVersion: META_API_VERSION,
      kind: 'Configuration',
      metadata: {
        name: CONFIGURATION_NAME,
        annotations: {
          'meta.crossplane.io/description': `Fabric's Machine API (${props.topology} topology): NixOS virtual machines on Proxmox VE through provider-terraform`,
          'meta.crossplane.io/source': props.source,
        },
      },
      spec,
    });
  }
}

export interface ConfigurationPackageProps extends ConfigurationMetadataProps {
  /** @default BootstrapChannel.SMBIOS */
  readonly bootstrap?: BootstrapChannel;
  /** @default 'local' */
  readonly snippetDatastore?: string;
  /** @default false */
  readonly insecureSkipTlsVerify?: boolean;
}

/** The whole package: metadata, XRD and Composition. */
export class ConfigurationPackage extends Construct {
  constructor(scope: Construct, id: string, props: ConfigurationPackageProps) {
    super(scope, id);
    const { topology, insecureSkipTlsVerify, bootstrap, snippetDatastore } = props;
    new ConfigurationMetadata(this, 'Metadata', props);
    new MachineDefinition(this, 'MachineDefinition', { topology });
    new MachineComposition(this, 'MachineComposition', { topology, insecureSkipTlsVerify: insecureSkipTlsVerify ?? false, bootstrap, snippetDatastore });
  }
}

/** A package of kind `gvk` at `xpkg.example/org/name:v1.2.3` → a dependency pinned to exactly v1.2.3. */
function dependency(gvk: { apiVersion: string; kind: string }, reference: string): PackageDependency {
  const tag = reference.lastIndexOf(':');
  return { apiVersion: gvk.apiVersion, kind: gvk.kind, package: reference.slice(0, tag), version: reference.slice(tag + 1) };
}
