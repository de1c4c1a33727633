/**
 * The Machine health check as Argo CD runs it: gopher-lua with only the libraries Argo CD opens for a custom
 * check (tools/argocd-lua), against Machine objects carrying the conditions Crossplane v2 sets.
 */
import { argoCdSettings, MACHINE_HEALTH_KEY, machineHealthLua } from '../src/gitops/argocd-chart';
import { describeWithArgoCdLua, HealthCheck, runHealthCheck } from './_argocd-lua';

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

describeWithArgoCdLua('the Machine health check in gopher-lua', (binary) => {
  const health = (status?: Record<string, unknown>) => runHealthCheck(binary, shipped(MACHINE_HEALTH_KEY), machine(status));

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
  ].map(([reason, status, expected]) => [reason, expected, status] as const))('%s → %s', (_reason, expected, status) => {
    expect(health(status as Record<string, unknown> | undefined).status).toBe(expected);
  });

  test('a healthy Machine reports its VMID and address (without the string library Argo CD withholds)', () => {
    expect(health({ vmId: 120, ipAddress: '10.0.1.10', conditions: [SYNCED, condition('Ready', 'True', 'Available')] }))
      .toEqual({ status: 'Healthy', message: 'VM 120 is ready at 10.0.1.10' });
  });

  test('a degraded Machine reports the failing condition message', () => {
    expect(health({ conditions: [condition('Synced', 'False', 'ReconcileError', 'cannot get Function "function-patch-and-transform"')] }))
      .toEqual({ status: 'Degraded', message: 'cannot get Function "function-patch-and-transform"' });
  });

  test('a progressing Machine says what it waits for', () => {
    expect(health({ conditions: [SYNCED, condition('Ready', 'False', 'Creating', 'Unready resources: workspace')] }))
      .toEqual({ status: 'Progressing', message: 'Unready resources: workspace' });
  });
});

describeWithArgoCdLua('the gopher-lua runner keeps to what Argo CD v3.5 gives a custom check', (binary) => {
  const run = (script: string, openLibs = false) => runHealthCheck(binary, { script, openLibs }, machine());

  test('no string library unless argocd-cm sets useOpenLibs, as util/lua/lua.go opens only package, base and table', () => {
    expect(() => run('return { status = string.format("%s", "Healthy") }')).toThrow(/attempt to index a non-table object\(nil\) with key 'format'/);
    expect(run('return { status = string.format("%s", "Healthy") }', true)).toEqual({ status: 'Healthy' });
  });

  test('no global os; require("os") gives the safe clock', () => {
    expect(run('if os == nil and type(require("os").time()) == "number" then return { status = "Healthy" } end')).toEqual({ status: 'Healthy' });
  });

  test('the object is the global obj', () => {
    expect(run('return { status = "Healthy", message = obj.metadata.namespace .. "/" .. obj.metadata.name }'))
      .toEqual({ status: 'Healthy', message: 'infra-machines/dns01' });
  });

  test('a status Argo CD does not know becomes Unknown', () => {
    expect(run('return { status = "Fine" }')).toEqual({ status: 'Unknown', message: 'Lua returned an invalid health status' });
  });

  test('a script that returns no table fails as Argo CD fails it', () => {
    expect(() => run('return "Healthy"')).toThrow(/expect table output from Lua script, not string/);
  });

  test('ships in argocd-cm under the key Argo CD reads for fabric.kubelize.io Machines', () => {
    expect(MACHINE_HEALTH_KEY).toBe('resource.customizations.health.fabric.kubelize.io_Machine');
    expect(argoCdSettings()[MACHINE_HEALTH_KEY]).toBe(machineHealthLua());
  });
});
