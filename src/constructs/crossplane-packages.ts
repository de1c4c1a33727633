/**
 * The Crossplane packages the platform installs, pinned: provider-terraform with an explicit runtime
 * config (its --timeout must outlast every Proxmox operation, see timeouts.ts) and
 * function-patch-and-transform, which the Composition names.
 *
 * @see https://docs.crossplane.io/latest/packages/providers/#runtime-configuration
 */
import { Construct } from 'constructs';
import {
  DeploymentRuntimeConfig,
  DeploymentRuntimeConfigSpecDeploymentTemplateSpecTemplateSpecContainersResourcesLimits as Limit,
  DeploymentRuntimeConfigSpecDeploymentTemplateSpecTemplateSpecContainersResourcesRequests as Request,
  Function as CrossplaneFunction,
  Provider,
} from '../../imports/pkg.crossplane.io';
import { PROVIDER_RUNTIME_DEFAULTS, providerArgs, providerResources, ProviderRuntimeSettings } from '../platform/provider-runtime';

/**
 * provider-terraform v1.0.0 as the project publishes it now. The repository moved from upbound/ to
 * crossplane-contrib/ (March 2025); its v1.0.0 release was published by crossplane-contrib's
 * provider-workflows to ghcr.io/crossplane-contrib, which xpkg.crossplane.io/crossplane-contrib serves
 * (xpkg.upbound.io/crossplane-contrib is only a mirror). The old xpkg.upbound.io/upbound path is
 * where releases before the move went.
 */
export const PROVIDER_TERRAFORM = { name: 'provider-terraform', package: 'xpkg.crossplane.io/crossplane-contrib/provider-terraform:v1.0.0' } as const;
/**
 * v0.10.7: the version tools/function-patch-and-transform builds and the render tests run (the Go module proxy
 * serves no v0.10.8), so the Function a cluster installs is the one checked here. v0.10.8 only adds the Join
 * and Replace string transforms, which Fabric does not use.
 */
export const PATCH_AND_TRANSFORM_PACKAGE = 'xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform:v0.10.7';
/**
 * The Function's name: the one Crossplane gives it when it installs it as a dependency of the
 * Configuration package, so the same Composition works whether the platform or the package installs it.
 */
export const PATCH_AND_TRANSFORM_FUNCTION = dependencyName(PATCH_AND_TRANSFORM_PACKAGE);

/**
 * The name Crossplane gives a package it installs as a dependency: the repository path without registry
 * and tag, as a DNS label (`xpkg.crossplane.io/crossplane-contrib/function-x:v1` → `crossplane-contrib-function-x`).
 */
export function dependencyName(reference: string): string {
  const repository = reference.slice(reference.indexOf('/') + 1).replace(/[:@].*$/, '');
  return repository.replace(/[^a-z0-9-]/g, '-');
}

/**
 * Fields the API server would default on a Provider or a Function, written out so the object in git is
 * the object in the cluster and ArgoCD never shows a difference (the pkg.crossplane.io CRDs' `default:`
 * values; test/platform/gitops-defaults.spec.ts checks every emitted object against its CRD).
 */
const PACKAGE_SPEC_DEFAULTS = {
  ignoreCrossplaneConstraints: false,
  packagePullPolicy: 'IfNotPresent',
  revisionActivationPolicy: 'Automatic',
  revisionHistoryLimit: 1,
  skipDependencyResolution: false,
} as const;

/** The runtime config Crossplane creates and a package uses when it names none. */
const DEFAULT_RUNTIME_CONFIG = 'default';

export interface CrossplanePackagesProps {
  /** provider-terraform's concurrency, poll interval and pod size. @default PROVIDER_RUNTIME_DEFAULTS */
  readonly providerRuntime?: ProviderRuntimeSettings;
}

/** Installs provider-terraform, its runtime config and function-patch-and-transform. */
export class CrossplanePackages extends Construct {
  public readonly provider: Provider;
  public readonly runtimeConfig: DeploymentRuntimeConfig;
  public readonly function: CrossplaneFunction;

  constructor(scope: Construct, id: string, props: CrossplanePackagesProps = {}) {
    super(scope, id);
    const runtime = props.providerRuntime ?? PROVIDER_RUNTIME_DEFAULTS;
    const resources = providerResources(runtime);
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
                    resources: {
                      requests: { cpu: Request.fromString(resources.requests.cpu), memory: Request.fromString(resources.requests.memory) },
                      limits: { cpu: Limit.fromString(resources.limits.cpu), memory: Limit.fromString(resources.limits.memory) },
                    },
                  },
                ],
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
