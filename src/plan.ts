/**
 * A plan before destruction, like `terraform plan` but at synth time: what the new dist/ does to each
 * Machine compared with the dist/ in the working tree. Removing a Machine destroys its VM (unless it is
 * Orphan); some changes make Proxmox replace the VM. Both are refused unless explicitly allowed.
 */
import { MachineSpec } from '../imports/fabric.kubelize.io';
import { specWithDefaults } from './validation/schema-validation';

export enum ChangeKind {
  ADD = 'add',
  UPDATE = 'update',
  REPLACE = 'replace',
  REMOVE = 'remove',
}

export interface MachineChange {
  /** `namespace/name` */
  readonly id: string;
  readonly kind: ChangeKind;
  /** Field changes, e.g. `spec.memory.size 2048 → 4096`. */
  readonly details: readonly string[];
  /** Whether a VM (or a disk's data) is destroyed. */
  readonly destructive: boolean;
}

export interface Plan {
  readonly changes: readonly MachineChange[];
}

/** A Machine as it stands in a dist/ tree. */
export interface PlannedMachine {
  readonly id: string;
  readonly spec: MachineSpec;
}

export function computePlan(current: readonly PlannedMachine[], next: readonly PlannedMachine[]): Plan {
  const normalized = (m: PlannedMachine): [string, PlannedMachine] => [m.id, { id: m.id, spec: specWithDefaults(m.spec) }];
  const before = new Map(current.map(normalized));
  const after = new Map(next.map(normalized));
  const changes: MachineChange[] = [];
  for (const [id, machine] of after) {
    const old = before.get(id);
    if (!old) {
      changes.push({ id, kind: ChangeKind.ADD, details: [], destructive: false });
      continue;
    }
    const details = diff(old.spec, machine.spec, 'spec');
    if (details.length === 0) continue;
    const reasons = replacementReasons(old.spec, machine.spec);
    changes.push(
      reasons.length > 0
        ? { id, kind: ChangeKind.REPLACE, details: reasons, destructive: true }
        : { id, kind: ChangeKind.UPDATE, details, destructive: false },
    );
  }
  for (const [id, machine] of before) {
    if (after.has(id)) continue;
    const orphan = machine.spec.deletionPolicy === 'Orphan';
    changes.push({
      id,
      kind: ChangeKind.REMOVE,
      details: [orphan ? 'deletionPolicy Orphan: the VM keeps running' : 'the VM is destroyed'],
      destructive: !orphan,
    });
  }
  return { changes: changes.sort((a, b) => a.id.localeCompare(b.id)) };
}

/** Changes the bpg/proxmox provider cannot make in place, or that lose a disk's data. */
function replacementReasons(old: MachineSpec, next: MachineSpec): string[] {
  const reasons: string[] = [];
  const changed = (label: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) reasons.push(`${label} ${show(a)} → ${show(b)}`);
  };
  changed('spec.proxmox.templateId', old.proxmox.templateId, next.proxmox.templateId);
  changed('spec.proxmox.vmId', old.proxmox.vmId, next.proxmox.vmId);
  changed('spec.proxmox.node', old.proxmox.node, next.proxmox.node);
  changed('boot disk storage', old.disk?.storage ?? old.proxmox.storage, next.disk?.storage ?? next.proxmox.storage);
  changed('spec.disk.interface', old.disk?.interface, next.disk?.interface);
  if ((next.disk?.size ?? 0) < (old.disk?.size ?? 0)) reasons.push(`spec.disk.size shrinks ${old.disk?.size} → ${next.disk?.size} GiB`);
  (old.dataDisks ?? []).forEach((disk, index) => {
    const now = next.dataDisks?.[index];
    const label = `spec.dataDisks[${index}]`;
    if (!now) reasons.push(`${label} is removed (its data is lost)`);
    else if (now.size < disk.size) reasons.push(`${label}.size shrinks ${disk.size} → ${now.size} GiB`);
    else changed(`${label} storage`, disk.storage ?? old.proxmox.storage, now.storage ?? next.proxmox.storage);
  });
  return reasons;
}

/** Field-level changes, down to list items: `spec.dataDisks[0].size 100 → 200`. */
function diff(a: unknown, b: unknown, path: string): string[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) => diff(a[key], b[key], `${path}.${key}`));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => diff(a[i], b[i], `${path}[${i}]`)).flat();
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${path} ${show(a)} → ${show(b)}`];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}

const SYMBOL: Record<ChangeKind, string> = { add: '+', update: '~', replace: '-/+', remove: '-' };
const VERB: Record<ChangeKind, string> = { add: 'added', update: 'changed in place', replace: 'replaced', remove: 'removed' };

export function formatPlan(plan: Plan): string {
  const count = (kind: ChangeKind) => plan.changes.filter((c) => c.kind === kind).length;
  const lines = [
    `plan: ${count(ChangeKind.ADD)} to add, ${count(ChangeKind.UPDATE)} to change in place, ${count(ChangeKind.REPLACE)} to replace, ${count(ChangeKind.REMOVE)} to remove`,
  ];
  for (const change of plan.changes) {
    lines.push(`  ${SYMBOL[change.kind].padEnd(3)} Machine ${change.id}: ${VERB[change.kind]}${change.details.length ? `: ${change.details.join('; ')}` : ''}`);
  }
  return lines.join('\n');
}

export function isDestructive(plan: Plan): boolean {
  return plan.changes.some((change) => change.destructive);
}
