/**
 * The Machine construct: one NixOS VM on Proxmox, as a cdk8s user declares it in their own app and as
 * `npm run synth` declares each claim. The constructor fills the Machine API's defaults in (so the live
 * object never differs from git); the Machine's own checks (schema, CEL rules, credentials, SSH keys) run in
 * its validation, at `app.synth()`, and the Platform checks the fleet.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Machine as MachineObject, MachineSpec } from '../../imports/fabric.kubelize.io';
import { DEFAULT_MACHINE_NAMESPACE, machineId, MachineMetadata } from '../api/machine-claim';
import { specWithDefaults } from '../api/machine-defaults';
import { CLAIM_COMPOSITE_DELETE_POLICY, Topology } from '../api/topology';
import { applySyncPolicies } from '../gitops/sync-policy';
import { machineIssues } from '../validation/machine-checks';
import { formatProblem, Problem } from '../validation/problem';
import { FleetMachine, MACHINE_MARK } from './fleet';
import { machineNamespace } from './machine-namespace';
import type { Platform } from './platform';

export interface MachineProps {
  /**
   * `name` is an RFC 1123 label and the default hostname; renaming a Machine replaces its VM, so treat it as
   * a contract.
   * @default - named after the construct id, in the chart's namespace, else in 'infra-machines'
   */
  readonly metadata?: MachineMetadata;
  /** The Machine API's spec (docs/machine-reference.md); the XRD schema's defaults are filled in. */
  readonly spec: MachineSpec;
  /**
   * The Platform whose Machine API the Machine uses: its topology decides the object written (a claim in the
   * legacy one), and it writes the Machine's Namespace.
   * @default - the namespaced topology, and the Namespace written in the Machine's chart
   */
  readonly platform?: Platform;
  /**
   * Where the Machine was declared, named first in every message (e.g. `claims/dns01.ts`).
   * @default - the construct path
   */
  readonly source?: string;
}

/** A Machine: written with its defaults and never with a generated name, checked at `app.synth()`. */
export class Machine extends Construct implements FleetMachine {
  /** Whether `x` is a Machine construct (works across copies of this package). */
  public static isMachine(x: unknown): x is Machine {
    return x !== null && typeof x === 'object' && MACHINE_MARK in x;
  }

  /** `metadata.name`: the construct id unless given. */
  public readonly name: string;
  public readonly namespace: string;
  /** The spec as written: the given spec with the XRD schema's defaults filled in. */
  public readonly spec: MachineSpec;
  /** Where the Machine was declared, for messages. */
  public readonly source: string;
  public readonly topology: Topology;
  public readonly hasPlatform: boolean;
  /** The Kubernetes object written to the manifest. */
  public readonly apiObject: ApiObject;
  private readonly given: { readonly metadata: MachineMetadata; readonly spec: MachineSpec };
  private checked?: readonly Problem[];

  constructor(scope: Construct, id: string, props: MachineProps) {
    super(scope, id);
    Object.defineProperty(this, MACHINE_MARK, { value: true });
    this.name = props.metadata?.name ?? id;
    this.namespace = props.metadata?.namespace ?? Chart.of(this).namespace ?? DEFAULT_MACHINE_NAMESPACE;
    this.source = props.source ?? this.node.path;
    this.topology = props.platform?.machineApi.topology ?? Topology.NAMESPACED;
    this.hasPlatform = props.platform !== undefined;
    const metadata = { ...props.metadata, name: this.name, namespace: this.namespace };
    this.given = { metadata, spec: props.spec };
    this.spec = specWithDefaults(props.spec);
    this.node.addValidation({ validate: () => this.problems().map(formatProblem) });

    if (this.topology === Topology.LEGACY) {
      // The generated binding knows the Machine API only; the claim's own field is added to its manifest.
      const manifest = MachineObject.manifest({ metadata, spec: this.spec });
      this.apiObject = new ApiObject(this, 'Resource', { ...manifest, spec: { ...manifest.spec, compositeDeletePolicy: CLAIM_COMPOSITE_DELETE_POLICY } });
    } else {
      this.apiObject = new MachineObject(this, 'Resource', { metadata, spec: this.spec });
    }
    applySyncPolicies(this);
    machineNamespace(props.platform ?? Chart.of(this), this.namespace);
  }

  /** The Machine's own problems: schema, CEL rules, credentials, SSH keys (checked once, when first asked). */
  public problems(): readonly Problem[] {
    this.checked ??= machineIssues(this.given).map((issue) => ({
      file: this.source,
      machine: machineId(this),
      path: issue.path,
      message: issue.message,
      ...(issue.key ? { key: true } : {}),
    }));
    return this.checked;
  }
}
