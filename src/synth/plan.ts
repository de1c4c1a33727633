/**
 * A plan before destruction, like `terraform plan` but at synth time: what the new dist/ does to each
 * object ArgoCD syncs, compared with the current tree (dist/ in the working tree, plus the Machines committed
 * in git). For a Machine, each changed field says what the bpg provider does with it (plan-effects.ts): in
 * place, a reboot, a replaced VM, lost data, or a refusal. Removing a Machine destroys its VM (unless it is
 * Orphan). Destroying, replacing and losing data are refused unless explicitly allowed; what the provider
 * refuses is refused always.
 */
import * as YAML from 'yaml';
import { MachineSpec } from '../../imports/fabric.kubelize.io';
import { byCodeUnit } from '../util/compare';
import { MACHINE_KIND } from '../api/machine-schema';
import { Effect, EFFECT_ORDER, fieldEffect } from './plan-effects';
import { specWithDefaults } from '../api/machine-defaults';
import { SYNC_OPTIONS_ANNOTATION } from '../gitops/sync-policy';

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
  /** Field changes with their effect, e.g. `spec.memory.size 2048 → 4096 (reboot)`. */
  readonly details: readonly string[];
  /** Whether a VM (or a disk's data) is destroyed. */
  readonly destructive: boolean;
  /** The worst effect of an update or replacement. */
  readonly effect?: Effect;
  /** Changes the provider would fail on: never written. */
  readonly refused?: readonly string[];
  /** A removal consented to earlier, already written to dist/ (removal-consent.ts): not asked again. */
  readonly consented?: boolean;
}

/** A change to an object that is not a Machine: a Namespace, a Composition, a provider setting. */
export interface ObjectChange {
  readonly kind: ChangeKind.ADD | ChangeKind.UPDATE | ChangeKind.REMOVE;
  /** `Namespace apps`, `Composition machine-proxmox-terraform`. */
  readonly object: string;
  /** A removed object Argo CD keeps in the cluster (`Prune=false`): it leaves git, not the cluster. */
  readonly kept?: boolean;
}

export interface Plan {
  readonly changes: readonly MachineChange[];
  /** @default - none */
  readonly objects?: readonly ObjectChange[];
}

/** A Machine as it stands in a dist/ tree. */
export interface PlannedMachine {
  readonly id: string;
  readonly spec: MachineSpec;
  /** Where the current tree holds it, when not in dist/ (e.g. `git HEAD`). */
  readonly source?: string;
  /**
   * The spec has the schema's defaults already (synth validated it, or rendered it just now), so the plan
   * does not fill them in again. A spec read from an older dist/ may lack a default added since.
   */
  readonly defaulted?: boolean;
}

export function computePlan(current: readonly PlannedMachine[], next: readonly PlannedMachine[]): Plan {
  const normalized = (m: PlannedMachine): [string, PlannedMachine] => [m.id, m.defaulted ? m : { ...m, spec: specWithDefaults(m.spec) }];
  const before = new Map(current.map(normalized));
  const after = new Map(next.map(normalized));
  const changes: MachineChange[] = [];
  const added = [...after.keys()].filter((id) => !before.has(id));
  const removed = [...before.keys()].filter((id) => !after.has(id));
  const renamedTo = renames(removed.map((id) => before.get(id)!), added.map((id) => after.get(id)!));
  for (const [id, machine] of after) {
    const old = before.get(id);
    if (!old) {
      const from = [...renamedTo].find(([, to]) => to === id)?.[0];
      changes.push({ id, kind: ChangeKind.ADD, details: [size(machine.spec), ...(from ? [`renamed from ${from}?`] : [])], destructive: false });
      continue;
    }
    const fields = diff(old.spec, machine.spec, 'spec');
    if (fields.length === 0) continue;
    const effects = fields.map((f) => ({ ...f, ...fieldEffect(f.path, f.before, f.after) }));
    const details = effects.map((f) => `${f.path} ${show(f.before)} → ${show(f.after)} (${f.effect}${f.effect === Effect.IN_PLACE ? '' : `: ${f.why}`})`);
    const worst = effects.map((f) => f.effect).sort((a, b) => EFFECT_ORDER.indexOf(b) - EFFECT_ORDER.indexOf(a))[0];
    const refused = details.filter((_, i) => effects[i].effect === Effect.REFUSED);
    const replace = effects.some((f) => f.effect === Effect.REPLACE);
    changes.push({
      id,
      kind: replace ? ChangeKind.REPLACE : ChangeKind.UPDATE,
      details,
      destructive: replace || effects.some((f) => f.effect === Effect.DATA_LOSS),
      effect: worst,
      ...(refused.length > 0 ? { refused } : {}),
    });
  }
  for (const id of removed) {
    const machine = before.get(id)!;
    const orphan = machine.spec.deletionPolicy === 'Orphan';
    const to = renamedTo.get(id);
    const details = [
      to && !orphan ? `renamed to ${to}? the VM is destroyed and recreated` : orphan ? 'deletionPolicy Orphan: the VM keeps running' : 'the VM is destroyed',
      ...(to && orphan ? [`renamed to ${to}? a new VM is created beside it`] : []),
      ...(machine.source ? [`it is in ${machine.source} but not in the new tree`] : []),
      ...(allocated(machine.spec).length > 0 ? [`its ${allocated(machine.spec).join(' and ')} stay taken until the removal is committed`] : []),
    ];
    changes.push({ id, kind: ChangeKind.REMOVE, details, destructive: !orphan });
  }
  return { changes: changes.sort((a, b) => byCodeUnit(a.id, b.id)) };
}

/** What an added Machine is given: `2 cores, 2048 MiB, 32 GiB disk + 100 GiB, on node pve`. */
function size(spec: MachineSpec): string {
  const cores = (spec.cpu?.cores ?? 0) * (spec.cpu?.sockets ?? 1);
  const data = (spec.dataDisks ?? []).map((disk) => ` + ${disk.size} GiB`).join('');
  return `${cores} core${cores === 1 ? '' : 's'}, ${spec.memory?.size} MiB, ${spec.disk?.size ?? 32} GiB disk${data}, on node ${spec.proxmox?.node}${allocated(spec).map((a) => `, ${a}`).join('')}`;
}

/** What synth allocated to a Machine (allocation.ts): `ip 10.0.20.100 from IP pool lan`, `VMID 1000 from the site's range`. */
function allocated(spec: MachineSpec): string[] {
  return [
    ...(spec.network?.ipPool !== undefined && spec.network.ip !== undefined ? [`ip ${spec.network.ip} from IP pool ${spec.network.ipPool}`] : []),
    ...(spec.proxmox?.allocateVmId === true && spec.proxmox.vmId !== undefined ? [`VMID ${spec.proxmox.vmId} from the site's range`] : []),
  ];
}

/**
 * Removed → added pairs whose specs are equal once the name is set aside: most likely a rename, which
 * Crossplane carries out as a new Machine (a new VM) and a deleted one.
 */
function renames(removed: readonly PlannedMachine[], added: readonly PlannedMachine[]): Map<string, string> {
  const key = (m: PlannedMachine) => JSON.stringify(sorted(m.spec));
  const pairs = new Map<string, string>();
  const free = [...added];
  for (const old of removed) {
    const index = free.findIndex((m) => key(m) === key(old));
    if (index >= 0) pairs.set(old.id, free.splice(index, 1)[0].id);
  }
  return pairs;
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (isObject(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted(value[k])]));
  return value;
}

interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** Field-level changes, down to list items: `spec.dataDisks[0].size 100 → 200`. */
function diff(a: unknown, b: unknown, path: string): FieldChange[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) => diff(a[key], b[key], `${path}.${key}`));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => diff(a[i], b[i], `${path}[${i}]`)).flat();
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, before: a, after: b }];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}

/**
 * The objects other than Machines that change between two trees (dist/-relative path → YAML text), under
 * the folders ArgoCD syncs. Only files whose text differs are parsed, and of the new tree only those whose
 * object `renderedAfter` does not give (synth rendered them, so it need not read its own YAML back).
 */
export function objectChanges(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, folders: readonly string[],
  renderedAfter: (file: string) => object | undefined = () => undefined): ObjectChange[] {
  const synced = (file: string) => folders.some((folder) => file.startsWith(`${folder}/`)) && /\.ya?ml$/.test(file);
  const parsed = (text: string | undefined) => (text === undefined ? [] : YAML.parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS()));
  const objectsOf = (documents: unknown[]) => new Map(documents
    .filter((o): o is Record<string, any> => isObject(o) && typeof o.kind === 'string' && o.kind !== MACHINE_KIND)
    .map((o) => [`${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`, JSON.stringify(o)] as const));
  const old = new Map<string, string>();
  const next = new Map<string, string>();
  for (const file of new Set([...before.keys(), ...after.keys()])) {
    if (!synced(file) || before.get(file) === after.get(file)) continue;
    for (const [id, text] of objectsOf(parsed(before.get(file)))) old.set(id, text);
    const rendered = after.has(file) ? renderedAfter(file) : undefined;
    for (const [id, text] of objectsOf(rendered ? [rendered] : parsed(after.get(file)))) next.set(id, text);
  }
  const changes: ObjectChange[] = [];
  for (const [id, text] of next) {
    if (!old.has(id)) changes.push({ kind: ChangeKind.ADD, object: id });
    else if (old.get(id) !== text) changes.push({ kind: ChangeKind.UPDATE, object: id });
  }
  // An object gone from its file may have moved to another one the plan did not read (the baseline has it
  // there too, as when HEAD and dist/ on disk disagree on folders): it is where it is now, not removed.
  let elsewhere: Map<string, string> | undefined;
  const movedTo = (id: string) => {
    elsewhere ??= new Map([...after].filter(([file, text]) => synced(file) && before.get(file) === text).flatMap(([, text]) => [...objectsOf(parsed(text))]));
    return elsewhere.get(id);
  };
  for (const [id, text] of old) {
    if (next.has(id)) continue;
    const moved = movedTo(id);
    if (moved === undefined) changes.push({ kind: ChangeKind.REMOVE, object: id, ...(prunedByArgoCd(text) ? {} : { kept: true }) });
    else if (moved !== text) changes.push({ kind: ChangeKind.UPDATE, object: id });
  }
  return changes.sort((a, b) => byCodeUnit(a.object, b.object));
}

/** Whether Argo CD prunes an object that leaves git: not when its sync options say `Prune=false`. */
function prunedByArgoCd(objectJson: string): boolean {
  const options = (JSON.parse(objectJson) as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations?.[SYNC_OPTIONS_ANNOTATION] ?? '';
  return !options.split(',').map((option) => option.trim()).includes('Prune=false');
}

const SYMBOL: Record<ChangeKind, string> = { add: '+', update: '~', replace: '-/+', remove: '-' };
const VERB: Record<ChangeKind, string> = { add: 'added', update: 'changed in place', replace: 'replaced', remove: 'removed' };

/** How an update is carried out, from its worst effect. */
function updateVerb(change: MachineChange): string {
  if (change.kind !== ChangeKind.UPDATE) return VERB[change.kind];
  switch (change.effect) {
    case Effect.REBOOT: return 'changed, the VM reboots';
    case Effect.DATA_LOSS: return 'changed, data is lost';
    case Effect.REFUSED: return 'refused';
    default: return VERB[change.kind];
  }
}

export function formatPlan(plan: Plan): string {
  const updates = plan.changes.filter((c) => c.kind === ChangeKind.UPDATE && c.refused === undefined);
  const count = (kind: ChangeKind) => plan.changes.filter((c) => c.kind === kind && c.refused === undefined).length;
  const inPlace = updates.filter((c) => c.effect === Effect.IN_PLACE || c.effect === Effect.NEXT_BOOT).length;
  const removes = plan.changes.filter((c) => c.kind === ChangeKind.REMOVE);
  const written = removes.filter((c) => c.consented).length;
  const refused = plan.changes.filter((c) => c.refused !== undefined).length;
  const lines = [
    `plan: ${count(ChangeKind.ADD)} to add, ${inPlace} to change in place, ${updates.length - inPlace} to change with a reboot or data loss, ${count(ChangeKind.REPLACE)} to replace, ${removes.length} to remove${written > 0 ? ` (${written} already written to dist/ with consent)` : ''}${refused > 0 ? `, ${refused} refused` : ''}`,
  ];
  const objects = plan.objects ?? [];
  if (objects.length > 0) {
    const objectCount = (kind: ChangeKind) => objects.filter((c) => c.kind === kind && !c.kept).length;
    const kept = objects.filter((c) => c.kept).length;
    lines.push(`objects: ${objectCount(ChangeKind.ADD)} to add, ${objectCount(ChangeKind.UPDATE)} to change, ${objectCount(ChangeKind.REMOVE)} to remove${kept > 0 ? `, ${kept} to leave in the cluster` : ''} (Namespaces and platform objects)`);
  }
  const destroys = destroyCount(plan);
  if (destroys > 0) lines.push(`destroys: ${destroys} (Machines whose VM is destroyed or replaced, or whose disk data is lost)`);
  for (const change of plan.changes) {
    const details = [...change.details, ...(change.consented ? ['consent given: written to dist/, the VM is destroyed once dist/ is committed and synced'] : [])];
    lines.push(`  ${SYMBOL[change.kind].padEnd(3)} Machine ${change.id}: ${updateVerb(change)}${details.length ? `: ${details.join('; ')}` : ''}`);
  }
  for (const change of objects) {
    lines.push(change.kept
      ? `  =   ${change.object}: leaves git, stays in the cluster (Prune=false)`
      : `  ${SYMBOL[change.kind].padEnd(3)} ${change.object}: ${VERB[change.kind].replace(' in place', '')}`);
  }
  return lines.join('\n');
}

/** Machines whose VM or disk data the plan destroys. */
export function destroyCount(plan: Plan): number {
  return plan.changes.filter((change) => change.destructive).length;
}

export function isDestructive(plan: Plan): boolean {
  return destroyCount(plan) > 0;
}

/** Destructive changes no consent covers yet: what `--allow-destroy` must accept. */
export function unconsentedDestroys(plan: Plan): MachineChange[] {
  return plan.changes.filter((change) => change.destructive && !change.consented);
}

/** Whether anything at all changes. */
export function hasChanges(plan: Plan): boolean {
  return plan.changes.length > 0 || (plan.objects?.length ?? 0) > 0;
}

/** Changes the provider would fail on, as `Machine id: detail` lines. */
export function refusedChanges(plan: Plan): string[] {
  return plan.changes.flatMap((change) => (change.refused ?? []).map((detail) => `Machine ${change.id}: ${detail}`));
}
