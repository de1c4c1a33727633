/**
 * The Machine health check, run as Lua against sample statuses (wasmoon: Lua 5.4 compiled to WebAssembly;
 * Argo CD runs gopher-lua, Lua 5.1, so the script keeps to what both share). wasmoon loads itself with a
 * dynamic import, which jest's module sandbox refuses, so the samples run in one plain node process.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { argoCdSettings, MACHINE_HEALTH_KEY, machineHealthLua } from '../src/gitops/argocd-chart';
import { REPO } from './_helpers';

interface Health {
  readonly status: string;
  readonly message: string;
}

/** Runs the script per object the way Argo CD does: the live object as the global `obj`, a table returned. */
const RUNNER = `
const { LuaFactory } = require('wasmoon');
(async () => {
  const { script, objects } = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
  const factory = new LuaFactory();
  const results = [];
  for (const obj of objects) {
    const lua = await factory.createEngine();
    try { lua.global.set('obj', obj); results.push(await lua.doString(script)); } finally { lua.global.close(); }
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => { console.error(error); process.exit(1); });
`;

function runHealthChecks(statuses: ReadonlyArray<Record<string, unknown> | undefined>): Health[] {
  const objects = statuses.map((status) => ({
    apiVersion: 'fabric.kubelize.io/v1alpha1',
    kind: 'Machine',
    metadata: { name: 'dns01', namespace: 'infra-machines' },
    ...(status ? { status } : {}),
  }));
  const input = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-lua-')), 'input.json');
  fs.writeFileSync(input, JSON.stringify({ script: machineHealthLua(), objects }));
  // A stuck runner fails the suite instead of hanging it.
  const run = spawnSync(process.execPath, ['-e', RUNNER, input], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`the Lua runner failed: ${run.error?.message ?? run.stderr}`);
  return JSON.parse(run.stdout) as Health[];
}

/** Every status any test asks about, run in one Lua process before the tests read the results. */
const asked: Array<Record<string, unknown> | undefined> = [];
let answers: Health[] = [];
function sample(status?: Record<string, unknown>): () => Health {
  const index = asked.push(status) - 1;
  return () => answers[index];
}
beforeAll(() => {
  answers = runHealthChecks(asked);
});

const condition = (type: string, status: string, reason: string, message?: string) => ({
  type,
  status,
  reason,
  lastTransitionTime: '2025-01-01T00:00:00Z',
  ...(message ? { message } : {}),
});
const SYNCED = condition('Synced', 'True', 'ReconcileSuccess');

describe('the Machine health check', () => {
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
  ].map(([reason, status, expected]) => [reason, expected, sample(status as Record<string, unknown> | undefined)] as const))(
    '%s → %s',
    (_reason, expected, result) => {
      expect(result().status).toBe(expected);
    },
  );

  const healthy = sample({ vmId: 120, ipAddress: '10.0.1.10', conditions: [SYNCED, condition('Ready', 'True', 'Available')] });
  test('a healthy Machine reports its VMID and address', () => {
    expect(healthy()).toEqual({ status: 'Healthy', message: 'VM 120 is ready at 10.0.1.10' });
  });

  const degraded = sample({ conditions: [condition('Synced', 'False', 'ReconcileError', 'cannot get Function "function-patch-and-transform"')] });
  test('a degraded Machine reports the failing condition message', () => {
    expect(degraded()).toEqual({ status: 'Degraded', message: 'cannot get Function "function-patch-and-transform"' });
  });

  const progressing = sample({ conditions: [SYNCED, condition('Ready', 'False', 'Creating', 'Unready resources: workspace')] });
  test('a progressing Machine says what it waits for', () => {
    expect(progressing()).toEqual({ status: 'Progressing', message: 'Unready resources: workspace' });
  });

  test('ships in argocd-cm under the key Argo CD reads for fabric.kubelize.io Machines', () => {
    expect(MACHINE_HEALTH_KEY).toBe('resource.customizations.health.fabric.kubelize.io_Machine');
    expect(argoCdSettings()[MACHINE_HEALTH_KEY]).toBe(machineHealthLua());
  });
});
