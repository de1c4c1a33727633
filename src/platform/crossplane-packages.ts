/**
 * The Crossplane packages the platform installs, pinned, and the fields the API server would default on
 * them: provider-terraform and function-patch-and-transform, which the Composition names.
 *
 * @see https://docs.crossplane.io/latest/packages/providers/
 */

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
export const PACKAGE_SPEC_DEFAULTS = {
  ignoreCrossplaneConstraints: false,
  packagePullPolicy: 'IfNotPresent',
  revisionActivationPolicy: 'Automatic',
  revisionHistoryLimit: 1,
  skipDependencyResolution: false,
} as const;

