/**
 * The Flux engine's output checked by Flux's own code: each Kustomization built offline from the synthesized
 * repository as kustomize-controller builds it (tools/flux-build), and the CEL health checks evaluated by
 * kustomize-controller's status readers (tools/flux-health) against the conditions Crossplane v2 and
 * provider-terraform set — the same fixtures the Argo CD health tests use (gitops-health.spec.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Topology } from '../../src/api/topology';
import { synthesize } from '../../src/synth/synthesize';
import { describeWithFlux, fluxBuild } from '../_flux';
import { objectsOf, tempProject } from '../_helpers';
import { FLEET, synthTopology } from '../_topologies';

/** The labels kustomize-controller sets on what it applies, to find its inventory (not in git). */
const OWNER_LABELS = ['kustomize.toolkit.fluxcd.io/name', 'kustomize.toolkit.fluxcd.io/namespace'];

function withoutOwnerLabels(object: Record<string, any>): Record<string, any> {
  const labels = Object.fromEntries(Object.entries(object.metadata.labels ?? {}).filter(([key]) => !OWNER_LABELS.includes(key)));
  const { labels: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata: Object.keys(labels).length > 0 ? { ...metadata, labels } : metadata };
}

const identity = (o: Record<string, any>) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const byIdentity = (a: Record<string, any>, b: Record<string, any>) => identity(a).localeCompare(identity(b));

const condition = (type: string, status: string, reason: string, message?: string) => ({
  type, status, reason, lastTransitionTime: '2025-01-01T00:00:00Z', ...(message ? { message } : {}),
});
const SYNCED = condition('Synced', 'True', 'ReconcileSuccess');

describeWithFlux('the Flux engine, with Flux\'s own code', ({ fluxBuild: builder, check }) => {
  describe.each([Topology.NAMESPACED, Topology.LEGACY])('the %s topology', (topology) => {
    // A repository as the user pushes it: claims, package.json and the dist/ synth wrote.
    const projectDir = tempProject(FLEET, { topology, gitops: { engine: 'flux' } });
    const { files } = synthesize({ projectDir, outDir: path.join(projectDir, 'dist') });
    const kustomizationFile = path.join(projectDir, 'flux-kustomizations.yaml');
    const kustomizations = objectsOf(new Map([...files].filter(([file]) => file.startsWith('flux/kustomization.'))));
    fs.writeFileSync(kustomizationFile, [...files].filter(([file]) => file.startsWith('flux/kustomization.')).map(([, text]) => text).join('---\n'));

    test('every Kustomization builds from its own path, and together they build exactly what Argo CD syncs', async () => {
      const built = await Promise.all(kustomizations.map(async (k) => ({ name: k.metadata.name as string, objects: await fluxBuild(builder, k.metadata.name, kustomizationFile, projectDir) })));
      for (const { name, objects } of built) {
        expect(objects.length).toBeGreaterThan(0);
        // kustomize-controller marks each object with the Kustomization that owns it.
        expect(objects.map((o) => [o.metadata.labels['kustomize.toolkit.fluxcd.io/name'], o.metadata.labels['kustomize.toolkit.fluxcd.io/namespace']]))
          .toEqual(objects.map(() => [name, 'flux-system']));
      }
      const argoCdSyncs = synthTopology(topology).objectsIn('cluster/');
      expect(built.flatMap(({ objects }) => objects).map(withoutOwnerLabels).sort(byIdentity)).toEqual(argoCdSyncs.sort(byIdentity));
    });
  });

  describe('health checks, as kustomize-controller evaluates them', () => {
    const exprsOf = (name: string) => {
      const tree = synthTopology(Topology.NAMESPACED, { gitops: { engine: 'flux' } });
      return tree.objectsIn('flux/').find((o) => o.metadata.name === name)!.spec.healthCheckExprs;
    };
    const machine = (status?: Record<string, unknown>) => ({
      apiVersion: 'fabric.kubelize.io/v1alpha1', kind: 'Machine', metadata: { name: 'dns01', namespace: 'infra-machines', generation: 1 }, ...(status ? { status } : {}),
    });
    const machineHealth = async (status?: Record<string, unknown>) => (await check(exprsOf('fabric-machines'), machine(status))).status;
    const CREATING = [SYNCED, condition('Ready', 'False', 'Creating', 'Unready resources: workspace')];

    test.each([
      ['Ready=True: the Workspace applied and the VM exists', { conditions: [SYNCED, condition('Ready', 'True', 'Available')] }, 'Current'],
      ['a status without conditions', { vmId: 120 }, 'InProgress'],
      ['Ready=False Creating: Terraform is still at work', { conditions: CREATING }, 'InProgress'],
      ['Ready=False Deleting', { conditions: [SYNCED, condition('Ready', 'False', 'Deleting')] }, 'InProgress'],
      ['Ready=False Waiting: a legacy claim waits for its XMachine', { conditions: [SYNCED, condition('Ready', 'False', 'Waiting')] }, 'InProgress'],
      ['Synced=True and no Ready condition yet', { conditions: [SYNCED] }, 'InProgress'],
      [
        'the Workspace failed (terraform apply), though the Machine only says Creating',
        { conditions: CREATING, workspace: { conditions: [condition('Ready', 'False', 'Creating'), condition('Synced', 'False', 'ReconcileError', 'create failed: cannot apply Terraform configuration: Terraform encountered an error.')] } },
        'Failed',
      ],
      ['Synced=False: the Composition cannot be run', { conditions: [condition('Synced', 'False', 'ReconcileError', 'cannot compose resources')] }, 'Failed'],
      ['Synced=False wins over a stale Ready=True', { conditions: [condition('Ready', 'True', 'Available'), condition('Synced', 'False', 'ReconcileError', 'boom')] }, 'Failed'],
      ['Ready=False Unavailable', { conditions: [SYNCED, condition('Ready', 'False', 'Unavailable', 'the VM is gone')] }, 'Failed'],
      ['Ready=False ReconcileError', { conditions: [SYNCED, condition('Ready', 'False', 'ReconcileError', 'apply failed')] }, 'Failed'],
      [
        'a failing drift plan of a running VM',
        { vmId: 120, conditions: [SYNCED, condition('Ready', 'True', 'Available')], workspace: { conditions: [condition('Ready', 'True', 'Available'), condition('Synced', 'False', 'ReconcileError', 'observe failed')] } },
        'Failed',
      ],
    ].map(([reason, status, expected]) => [reason, expected, status] as const))('a Machine: %s → %s', async (_reason, expected, status) => {
      expect(await machineHealth(status as Record<string, unknown>)).toBe(expected);
    });

    test('a Machine Crossplane has not seen yet is Unknown, which the wait keeps waiting on like InProgress', async () => {
      // No CEL expression can guard an absent top-level `status`: Flux reports the evaluation error.
      const health = await check(exprsOf('fabric-machines'), machine());
      expect(health.status).toBe('Unknown');
      expect(health.message).toMatch(/no such attribute\(s\): status/);
    });

    test('a Machine whose generation Crossplane has not observed yet is InProgress, whatever its conditions', async () => {
      const stale = { ...machine({ observedGeneration: 1, conditions: [SYNCED, condition('Ready', 'True', 'Available')] }), metadata: { name: 'dns01', namespace: 'infra-machines', generation: 2 } };
      expect((await check(exprsOf('fabric-machines'), stale)).status).toBe('InProgress');
    });

    const ACTIVE = condition('Installed', 'True', 'ActivePackageRevision');
    const unhealthy = (message: string) => condition('Healthy', 'False', 'UnhealthyPackageRevision', message);
    const runtime = 'Package runtime health is "False" with message: post establish runtime hook failed for package: ';
    test.each([
      ['installed and healthy', [ACTIVE, condition('Healthy', 'True', 'HealthyPackageRevision')], 'Current'],
      ['no conditions yet', [], 'InProgress'],
      ['the revision has not reported yet', [ACTIVE, unhealthy('Package revision health is "Unknown"')], 'InProgress'],
      ['the Deployment has no Available condition yet', [ACTIVE, unhealthy(`${runtime}function package deployment has no condition of type "Available" yet`)], 'InProgress'],
      ['the Deployment is not yet available', [ACTIVE, unhealthy(`${runtime}provider package deployment is unavailable with message: Deployment does not have minimum availability.`)], 'InProgress'],
      ['the package cannot be fetched', [condition('Installed', 'False', 'UnpackingPackage', 'cannot unpack package: unexpected status code 404')], 'Failed'],
      ['the revision is unhealthy with an error', [ACTIVE, unhealthy('Package revision health is "False" with message: incompatible Crossplane version')], 'Failed'],
    ].map(([reason, conditions, expected]) => [reason, expected, conditions] as const))('a Provider and a Function: %s → %s', async (_reason, expected, conditions) => {
      for (const kind of ['Provider', 'Function']) {
        const object = { apiVersion: 'pkg.crossplane.io/v1', kind, metadata: { name: 'p' }, status: { conditions } };
        expect(`${kind}: ${(await check(exprsOf('fabric-packages'), object)).status}`).toBe(`${kind}: ${expected}`);
      }
    });

    test('kstatus alone would call a failing Provider healthy: the expressions are what catch it', async () => {
      const failing = { apiVersion: 'pkg.crossplane.io/v1', kind: 'Provider', metadata: { name: 'p' }, status: { conditions: [condition('Installed', 'False', 'UnpackingPackage', 'cannot unpack package: 404')] } };
      expect((await check([], failing)).status).toBe('Current');
      expect((await check(exprsOf('fabric-packages'), failing)).status).toBe('Failed');
    });

    test.each([
      ['Established', 'apiextensions.crossplane.io/v2', {}, [condition('Established', 'True', 'WatchingCompositeResource')], 'Current'],
      ['not yet Established', 'apiextensions.crossplane.io/v2', {}, [], 'InProgress'],
      ['a legacy XRD Established but its claim not yet Offered', 'apiextensions.crossplane.io/v1', { claimNames: { kind: 'Machine', plural: 'machines' } }, [condition('Established', 'True', 'WatchingCompositeResource')], 'InProgress'],
      ['a legacy XRD Established and Offered', 'apiextensions.crossplane.io/v1', { claimNames: { kind: 'Machine', plural: 'machines' } },
        [condition('Established', 'True', 'WatchingCompositeResource'), condition('Offered', 'True', 'WatchingCompositeResourceClaim')], 'Current'],
    ] as const)('the XRD: %s', async (_reason, apiVersion, spec, conditions, expected) => {
      const xrd = { apiVersion, kind: 'CompositeResourceDefinition', metadata: { name: 'machines.fabric.kubelize.io' }, spec: { group: 'fabric.kubelize.io', ...spec }, status: { conditions } };
      expect((await check(exprsOf('fabric-definition'), xrd)).status).toBe(expected);
    });

    test('every synthesized expression compiles in Flux\'s CEL environment', async () => {
      const tree = synthTopology(Topology.NAMESPACED, { gitops: { engine: 'flux' } });
      const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } };
      for (const k of tree.objectsIn('flux/').filter((o) => o.kind === 'Kustomization')) {
        await expect(check(k.spec.healthCheckExprs ?? [], namespace)).resolves.toEqual(expect.objectContaining({ status: 'Current' }));
      }
    });
  });
});
