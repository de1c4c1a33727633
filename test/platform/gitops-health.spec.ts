/**
 * The Machine health check as Argo CD runs it: gopher-lua with only the libraries Argo CD opens for a custom
 * check (tools/argocd-lua), against Machine objects carrying the conditions Crossplane v2 sets.
 */
import * as zlib from 'zlib';
import {
  argoCdSettings,
  MACHINE_HEALTH_KEY,
  machineHealthLua,
  PROVIDER_HEALTH_KEY,
  PROVIDER_OPEN_LIBS_KEY,
  providerHealthLua,
  XRD_HEALTH_KEY,
} from '../../src/gitops/argocd';
import { describeWithArgoCdLua, HealthCheck } from '../_argocd-lua';

/** The check exactly as argocd-cm ships it, with the library setting argocd-cm gives it. */
function shipped(key: string): HealthCheck {
  const settings = argoCdSettings();
  const groupKind = key.replace('resource.customizations.health.', '');
  return { script: settings[key], openLibs: settings[`resource.customizations.useOpenLibs.${groupKind}`] === 'true' };
}

const machine = (status?: Record<string, unknown>) => ({
  apiVersion: 'fabric.kubelize.io/v1alpha1',
  kind: 'Machine',
  metadata: { name: 'dns01', namespace: 'infra-machines' },
  ...(status ? { status } : {}),
});

const condition = (type: string, status: string, reason: string, message?: string) => ({
  type,
  status,
  reason,
  lastTransitionTime: '2025-01-01T00:00:00Z',
  ...(message ? { message } : {}),
});
const SYNCED = condition('Synced', 'True', 'ReconcileSuccess');

describeWithArgoCdLua('the Machine health check in gopher-lua', (check) => {
  const health = (status?: Record<string, unknown>) => check(shipped(MACHINE_HEALTH_KEY), machine(status));

  test.each([
    ['no status yet: Crossplane has not seen the Machine', undefined, 'Progressing'],
    ['a status without conditions', { vmId: 120 }, 'Progressing'],
    ['Ready=True: the Workspace applied and the VM exists', { conditions: [SYNCED, condition('Ready', 'True', 'Available')] }, 'Healthy'],
    ['Synced=False: the Composition cannot be run', { conditions: [condition('Synced', 'False', 'ReconcileError', 'cannot compose resources')] }, 'Degraded'],
    [
      'Synced=False wins over a stale Ready=True',
      { conditions: [condition('Ready', 'True', 'Available'), condition('Synced', 'False', 'ReconcileError', 'boom')] },
      'Degraded',
    ],
    ['Ready=False Creating: Terraform is still at work', { conditions: [SYNCED, condition('Ready', 'False', 'Creating', 'Unready resources: workspace')] }, 'Progressing'],
    ['Ready=False Deleting', { conditions: [SYNCED, condition('Ready', 'False', 'Deleting')] }, 'Progressing'],
    ['Ready=False Waiting: a legacy claim waits for its XMachine', { conditions: [SYNCED, condition('Ready', 'False', 'Waiting')] }, 'Progressing'],
    ['Ready=False Unavailable: a failure', { conditions: [SYNCED, condition('Ready', 'False', 'Unavailable', 'the VM is gone')] }, 'Degraded'],
    ['Ready=False ReconcileError: a failure', { conditions: [SYNCED, condition('Ready', 'False', 'ReconcileError', 'apply failed')] }, 'Degraded'],
    ['Synced=True and no Ready condition yet', { conditions: [SYNCED] }, 'Progressing'],
  ].map(([reason, status, expected]) => [reason, expected, status] as const))('%s → %s', async (_reason, expected, status) => {
    expect((await health(status as Record<string, unknown> | undefined)).status).toBe(expected);
  });

  test('a healthy Machine reports its VMID and address (without the string library Argo CD withholds)', async () => {
    expect(await health({ vmId: 120, ipAddress: '10.0.1.10', conditions: [SYNCED, condition('Ready', 'True', 'Available')] }))
      .toEqual({ status: 'Healthy', message: 'VM 120 is ready at 10.0.1.10' });
  });

  test('a degraded Machine reports the failing condition message', async () => {
    expect(await health({ conditions: [condition('Synced', 'False', 'ReconcileError', 'cannot get Function "function-patch-and-transform"')] }))
      .toEqual({ status: 'Degraded', message: 'cannot get Function "function-patch-and-transform"' });
  });

  test('a progressing Machine says what it waits for', async () => {
    expect(await health({ conditions: [SYNCED, condition('Ready', 'False', 'Creating', 'Unready resources: workspace')] }))
      .toEqual({ status: 'Progressing', message: 'Unready resources: workspace' });
  });
});

/**
 * A failed `terraform apply` as provider-terraform v1.0.0 reports it: internal/terraform/terraform.go:62-76
 * (Classify: the first `Error:` line as summary, the whole stderr gzipped and base64-encoded), wrapped by
 * workspace.go:79 errApply and crossplane-runtime v2.0.0 managed/reconciler.go:65 errReconcileCreate.
 */
function terraformFailure(wrap: string, stderr: string): string {
  const summary = /Error: (.+)\n/.exec(stderr)![1];
  const full = zlib.gzipSync(stderr).toString('base64');
  return `${wrap}: Terraform encountered an error. Summary: ${summary}. To see the full error run: echo "${full}" | base64 -d | gunzip`;
}
const APPLY_STDERR = 'Error: error waiting for VM clone: All attempts fail:\n#1: task "UPID:pve:0001" failed to complete with exit code: unable to find configuration file for VM 9000 on node \'pve\'\n';
const APPLY_FAILED = terraformFailure('create failed: cannot apply Terraform configuration', APPLY_STDERR);
const PLAN_FAILED = terraformFailure('observe failed: cannot diff (i.e. plan) Terraform configuration', 'Error: error retrieving VM 120: received an HTTP 401 response - Reason: authentication failure\n');

describeWithArgoCdLua('the Machine health check reports what the Workspace says', (check) => {
  const health = (status: Record<string, unknown>) => check(shipped(MACHINE_HEALTH_KEY), machine(status));
  // What Crossplane v2.3.4's composite reconciler sets while its Workspace is not Ready, whatever the reason
  // (internal/controller/apiextensions/composite/reconciler.go:871-878): Synced stays True.
  const CREATING = [SYNCED, condition('Ready', 'False', 'Creating', 'Unready resources: workspace')];

  test('a failed terraform apply is Degraded with Terraform\'s message, though the Machine only says Creating', async () => {
    const result = await health({
      conditions: CREATING,
      // crossplane-runtime v2.0.0 managed/reconciler.go:1346: Creating and ReconcileError on a failed create.
      workspace: { conditions: [condition('Ready', 'False', 'Creating'), condition('Synced', 'False', 'ReconcileError', APPLY_FAILED)] },
    });
    expect(result.status).toBe('Degraded');
    expect(result.message).toBe(`Workspace: ${APPLY_FAILED}`);
    expect(result.message).toMatch(/Summary: error waiting for VM clone: All attempts fail:\. To see the full error run: echo "H4sI/);
  });

  test('a failing drift plan of a running VM is Degraded, not Healthy', async () => {
    expect(await health({
      vmId: 120,
      conditions: [SYNCED, condition('Ready', 'True', 'Available')],
      workspace: { conditions: [condition('Ready', 'True', 'Available'), condition('Synced', 'False', 'ReconcileError', PLAN_FAILED)] },
    })).toEqual({ status: 'Degraded', message: `Workspace: ${PLAN_FAILED}` });
  });

  test('a Workspace still applying is Progressing with the Machine\'s message', async () => {
    expect(await health({ conditions: CREATING, workspace: { conditions: [condition('Ready', 'False', 'Creating')] } }))
      .toEqual({ status: 'Progressing', message: 'Unready resources: workspace' });
  });

  test('a Workspace that recovered no longer degrades the Machine', async () => {
    expect(await health({
      vmId: 120,
      conditions: [SYNCED, condition('Ready', 'True', 'Available')],
      workspace: { conditions: [condition('Ready', 'True', 'Available'), SYNCED] },
    })).toEqual({ status: 'Healthy', message: 'VM 120 is ready' });
  });
});

describeWithArgoCdLua('the Provider health check calls an installing Provider Progressing', (check) => {
  const provider = (conditions?: object[]) => ({
    apiVersion: 'pkg.crossplane.io/v1',
    kind: 'Provider',
    metadata: { name: 'upbound-provider-terraform' },
    ...(conditions ? { status: { conditions } } : {}),
  });
  const health = (conditions?: object[]) => check(shipped(PROVIDER_HEALTH_KEY), provider(conditions));
  // Crossplane v2.3.4 apis/pkg/v1/conditions.go:44-50 (reasons) and 181-216 (PackageHealth's messages).
  const ACTIVE = condition('Installed', 'True', 'ActivePackageRevision');
  const unhealthy = (message: string) => condition('Healthy', 'False', 'UnhealthyPackageRevision', message);
  const runtime = 'Package runtime health is "False" with message: post establish runtime hook failed for package: ';

  test.each([
    ['no status yet', undefined, 'Progressing'],
    ['the revision has not reported yet', [ACTIVE, unhealthy('Package revision health is "Unknown"')], 'Progressing'],
    ['the runtime waits for the revision (runtime/reconciler.go:371)', [ACTIVE, unhealthy('Package runtime health is "False" with message: Package revision is not healthy yet')], 'Progressing'],
    ['the Deployment has no Available condition yet (runtime_provider.go:46)', [ACTIVE, unhealthy(`${runtime}provider package deployment has no condition of type "Available" yet`)], 'Progressing'],
    ['the Deployment is not yet available (runtime_provider.go:45)', [ACTIVE, unhealthy(`${runtime}provider package deployment is unavailable with message: Deployment does not have minimum availability.`)], 'Progressing'],
    ['health unknown (UnknownPackageRevisionHealth)', [ACTIVE, condition('Healthy', 'Unknown', 'UnknownPackageRevisionHealth')], 'Progressing'],
    ['Installed=True and no Healthy condition yet', [ACTIVE], 'Progressing'],
    ['installed and healthy', [ACTIVE, condition('Healthy', 'True', 'HealthyPackageRevision')], 'Healthy'],
    [
      'the package cannot be fetched (manager/reconciler.go:321)',
      [condition('Installed', 'False', 'UnpackingPackage', 'cannot unpack package: failed to fetch package digest from remote: GET https://xpkg.upbound.io: unexpected status code 404'), unhealthy('cannot unpack package: failed to fetch package digest from remote: GET https://xpkg.upbound.io: unexpected status code 404')],
      'Degraded',
    ],
    ['the revision is unhealthy with an error', [ACTIVE, unhealthy('Package revision health is "False" with message: incompatible Crossplane version: package is not compatible with Crossplane version (v2.3.4)')], 'Degraded'],
  ].map(([reason, conditions, expected]) => [reason, expected, conditions] as const))('%s → %s', async (_reason, expected, conditions) => {
    expect((await health(conditions as object[] | undefined)).status).toBe(expected);
  });

  test('an installing Provider says what it waits for', async () => {
    expect(await health([ACTIVE, unhealthy('Package revision health is "Unknown"')])).toEqual({ status: 'Progressing', message: 'Package revision health is "Unknown"' });
  });

  test('a failing Provider says why', async () => {
    expect(await health([ACTIVE, unhealthy('Package revision health is "False" with message: cannot resolve package dependencies: boom')]))
      .toEqual({ status: 'Degraded', message: 'Package revision health is "False" with message: cannot resolve package dependencies: boom' });
  });

  test('ships in argocd-cm with the string library it uses', () => {
    expect(argoCdSettings()[PROVIDER_HEALTH_KEY]).toBe(providerHealthLua());
    expect(argoCdSettings()[PROVIDER_OPEN_LIBS_KEY]).toBe('true');
  });
});

describeWithArgoCdLua('the gopher-lua runner keeps to what Argo CD v3.5 gives a custom check', (check) => {
  const run = (script: string, openLibs = false) => check({ script, openLibs }, machine());

  test('no string library unless argocd-cm sets useOpenLibs, as util/lua/lua.go opens only package, base and table', async () => {
    await expect(run('return { status = string.format("%s", "Healthy") }')).rejects.toThrow(/attempt to index a non-table object\(nil\) with key 'format'/);
    expect(await run('return { status = string.format("%s", "Healthy") }', true)).toEqual({ status: 'Healthy' });
  });

  test('no global os; require("os") gives the safe clock', async () => {
    expect(await run('if os == nil and type(require("os").time()) == "number" then return { status = "Healthy" } end')).toEqual({ status: 'Healthy' });
  });

  test('the object is the global obj', async () => {
    expect(await run('return { status = "Healthy", message = obj.metadata.namespace .. "/" .. obj.metadata.name }'))
      .toEqual({ status: 'Healthy', message: 'infra-machines/dns01' });
  });

  test('a status Argo CD does not know becomes Unknown', async () => {
    expect(await run('return { status = "Fine" }')).toEqual({ status: 'Unknown', message: 'Lua returned an invalid health status' });
  });

  test('a script that returns no table fails as Argo CD fails it', async () => {
    await expect(run('return "Healthy"')).rejects.toThrow(/expect table output from Lua script, not string/);
  });

  test('ships in argocd-cm under the key Argo CD reads for fabric.kubelize.io Machines', () => {
    expect(MACHINE_HEALTH_KEY).toBe('resource.customizations.health.fabric.kubelize.io_Machine');
    expect(argoCdSettings()[MACHINE_HEALTH_KEY]).toBe(machineHealthLua());
  });
});

describeWithArgoCdLua('the XRD health check holds the sync waves until Crossplane has established the XRD', (check) => {
  const xrd = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
    apiVersion: 'apiextensions.crossplane.io/v2',
    kind: 'CompositeResourceDefinition',
    metadata: { name: 'machines.fabric.kubelize.io' },
    spec: { group: 'fabric.kubelize.io', names: { kind: 'Machine', plural: 'machines' }, scope: 'Namespaced', ...spec },
    ...(status ? { status } : {}),
  });
  const ESTABLISHED = condition('Established', 'True', 'WatchingCompositeResource');
  const OFFERED = condition('Offered', 'True', 'WatchingCompositeResourceClaim');
  const CLAIMS = { claimNames: { kind: 'Machine', plural: 'machines' } };

  test('argocd-cm carries it under the XRD\'s own group and kind, which wins over Argo CD\'s *.crossplane.io check', () => {
    expect(argoCdSettings()[XRD_HEALTH_KEY]).toContain('Established');
  });

  test.each(([
    ['just created, no status: Argo CD\'s own check calls this Healthy', {}, undefined, 'Progressing'],
    ['a status without conditions', {}, {}, 'Progressing'],
    ['Established=False while terminating', {}, { conditions: [condition('Established', 'False', 'TerminatingCompositeResource')] }, 'Progressing'],
    ['namespaced (v2, no claim): Established=True', {}, { conditions: [ESTABLISHED] }, 'Healthy'],
    ['legacy, offering a claim: Established=True, Offered not yet', CLAIMS, { conditions: [ESTABLISHED] }, 'Progressing'],
    ['legacy, offering a claim: both True', CLAIMS, { conditions: [ESTABLISHED, OFFERED] }, 'Healthy'],
  ] as Array<[string, Record<string, unknown>, Record<string, unknown> | undefined, string]>).map(([reason, spec, status, expected]) => [reason, expected, spec, status]) as Array<[string, string, Record<string, unknown>, Record<string, unknown> | undefined]>)('%s → %s', async (_reason, expected, spec, status) => {
    expect((await check(shipped(XRD_HEALTH_KEY), xrd(spec, status))).status).toBe(expected);
  });
});
