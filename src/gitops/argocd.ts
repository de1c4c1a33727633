/**
 * What Argo CD needs to run Fabric's manifests well, as data: where it runs, and the argocd-cm entries
 * (annotation tracking, the Machine and Provider health checks). The constructs that write them are in
 * src/constructs/argocd.ts.
 *
 * @see https://docs.crossplane.io/latest/guides/crossplane-with-argo-cd/
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#custom-health-checks
 */
import * as fs from 'fs';
import * as path from 'path';
import { MACHINE_GROUP, MACHINE_KIND } from '../api/machine-schema';

/** Where Argo CD runs, and the Application's name, unless given. */
export const ARGOCD_NAMESPACE = 'argocd';
export const APPLICATION_NAME = 'fabric';
/** The in-cluster API server, where Argo CD itself runs. */
export const LOCAL_CLUSTER = 'https://kubernetes.default.svc';

/** argocd-cm key of the Machine health check. */
export const MACHINE_HEALTH_KEY = `resource.customizations.health.${MACHINE_GROUP}_${MACHINE_KIND}`;

/** argocd-cm key of the Provider health check, replacing Argo CD's built-in one (see provider-health.lua). */
export const PROVIDER_HEALTH_KEY = 'resource.customizations.health.pkg.crossplane.io_Provider';
/** The Provider check matches text with string.find; Argo CD opens the string library only when asked. */
export const PROVIDER_OPEN_LIBS_KEY = 'resource.customizations.useOpenLibs.pkg.crossplane.io_Provider';

/** argocd-cm key of the XRD health check: Healthy once Established, not before (see xrd-health.lua). */
export const XRD_HEALTH_KEY = 'resource.customizations.health.apiextensions.crossplane.io_CompositeResourceDefinition';

/** The XRD health check. */
export function xrdHealthLua(): string {
  return fs.readFileSync(path.join(__dirname, 'xrd-health.lua'), 'utf8');
}

/** The Lua health check, kept as a Lua file so it can be read, linted and tested as Lua. */
export function machineHealthLua(): string {
  return fs.readFileSync(path.join(__dirname, 'machine-health.lua'), 'utf8');
}

/** The Provider health check: Progressing while Crossplane installs it, not Degraded. */
export function providerHealthLua(): string {
  return fs.readFileSync(path.join(__dirname, 'provider-health.lua'), 'utf8');
}

/** argocd-cm entries Fabric needs. */
export function argoCdSettings(): Record<string, string> {
  return {
    // Crossplane copies an XR's labels to what it composes; label tracking would then claim (and prune)
    // Workspaces as the Application's own. Annotation tracking is Argo CD 3's default, written for 2.x.
    'application.resourceTrackingMethod': 'annotation',
    [MACHINE_HEALTH_KEY]: machineHealthLua(),
    [PROVIDER_HEALTH_KEY]: providerHealthLua(),
    [PROVIDER_OPEN_LIBS_KEY]: 'true',
    [XRD_HEALTH_KEY]: xrdHealthLua(),
  };
}
