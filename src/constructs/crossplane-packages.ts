/**
 * The Crossplane packages the platform installs, pinned: provider-terraform with an explicit runtime
 * config (its --timeout must outlast every Proxmox operation, see src/platform/timeouts.ts) and
 * function-patch-and-transform, which the Composition names.
 *
 * @see https://docs.crossplane.io/latest/packages/providers/#runtime-configuration
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DeploymentRuntimeConfig,
  DeploymentRuntimeConfigSpecDeploymentTemplateSpecTemplateSpecContainersResourcesLimits as Limit,
  DeploymentRuntimeConfigSpecDeploymentTemplateSpecTemplateSpecContainersResourcesRequests as Request,
  Function as CrossplaneFunction,
  Provider,
} from '../../imports/pkg.crossplane.io';
import { PACKAGE_SPEC_DEFAULTS, PATCH_AND_TRANSFORM_FUNCTION, PATCH_AND_TRANSFORM_PACKAGE, PROVIDER_TERRAFORM } from '../platform/crossplane-packages';
import { PROVIDER_RUNTIME_DEFAULTS, providerArgs, providerResources, ProviderRuntimeSettings } from '../platform/provider-runtime';
import { DEFAULT_CREDENTIALS_SECRET, PROXMOX_CA, SecretReference } from '../platform/proxmox-credentials';

/** The runtime config Crossplane creates and a package uses when it names none. */
const DEFAULT_RUNTIME_CONFIG = 'default';

export interface CrossplanePackagesProps {
  /** provider-terraform's concurrency, poll interval and pod size. @default PROVIDER_RUNTIME_DEFAULTS */
  readonly providerRuntime?: ProviderRuntimeSettings;
  /**
   * The credentials Secret, whose optional key `ca_cert` (the Proxmox cluster's CA) the provider trusts. A pod
   * mounts Secrets of its own namespace only: Crossplane's (crossplane-system by default).
   * @default DEFAULT_CREDENTIALS_SECRET
   */
  readonly credentialsSecret?: SecretReference;
}

/** The pod volume holding the Proxmox CA. */
const PROXMOX_CA_VOLUME = 'proxmox-ca';

/** Installs provider-terraform, its runtime config and function-patch-and-transform. */
export class CrossplanePackages extends Construct {
  public readonly provider: ApiObject;
  public readonly runtimeConfig: ApiObject;
  /** function-patch-and-transform, under the name the Composition's pipeline step refers to. */
  public readonly function: ApiObject;

  constructor(scope: Construct, id: string, props: CrossplanePackagesProps = {}) {
    super(scope, id);
    const runtime = props.providerRuntime ?? PROVIDER_RUNTIME_DEFAULTS;
    const resources = providerResources(runtime);
    const credentials = props.credentialsSecret ?? DEFAULT_CREDENTIALS_SECRET;
    this.runtimeConfig = new DeploymentRuntimeConfig(this, 'RuntimeConfig', {
      metadata: { name: PROVIDER_TERRAFORM.name },
      spec: {
        deploymentTemplate: {
          spec: {
            selector: {},
            template: {
              spec: {
                containers: [
                  {
                    // Crossplane's name for the provider's own container.
                    name: 'package-runtime',
                    args: providerArgs(runtime),
                    env: [{ name: 'SSL_CERT_DIR', value: PROXMOX_CA.sslCertDir }],
                    volumeMounts: [{ name: PROXMOX_CA_VOLUME, mountPath: PROXMOX_CA.mountDir, readOnly: true }],
                    resources: {
                      requests: { cpu: Request.fromString(resources.requests.cpu), memory: Request.fromString(resources.requests.memory) },
                      limits: { cpu: Limit.fromString(resources.limits.cpu), memory: Limit.fromString(resources.limits.memory) },
                    },
                  },
                ],
                volumes: [{
                  name: PROXMOX_CA_VOLUME,
                  // Optional: a Secret without the key (a certificate from a public CA, or insecureSkipTlsVerify)
                  // still starts the pod, with an empty directory.
                  secret: { secretName: credentials.name, optional: true, items: [{ key: PROXMOX_CA.secretKey, path: PROXMOX_CA.file }] },
                }],
              },
            },
          },
        },
      },
    });
    this.provider = new Provider(this, 'Provider', {
      metadata: { name: PROVIDER_TERRAFORM.name },
      spec: {
        ...PACKAGE_SPEC_DEFAULTS,
        package: PROVIDER_TERRAFORM.package,
        runtimeConfigRef: { ...DeploymentRuntimeConfig.GVK, name: PROVIDER_TERRAFORM.name },
      },
    });
    this.function = new CrossplaneFunction(this, 'Function', {
      metadata: { name: PATCH_AND_TRANSFORM_FUNCTION },
      spec: {
        ...PACKAGE_SPEC_DEFAULTS,
        package: PATCH_AND_TRANSFORM_PACKAGE,
        runtimeConfigRef: { ...DeploymentRuntimeConfig.GVK, name: DEFAULT_RUNTIME_CONFIG },
      },
    });
  }
}
