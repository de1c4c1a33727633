/**
 * The Machine construct: one NixOS VM on Proxmox, as a cdk8s user declares it in their own app and as the
 * repository's app declares each claim. It validates its spec against the XRD schema and CEL rules (the same
 * code `npm run synth` runs), writes the spec with the schema's defaults filled in, so the live object never
 * differs from git, and carries the Machine's Argo CD sync policy.
 */
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Machine as MachineObject, MachineSpec } from '../../imports/fabric.kubelize.io';
import { LoadedMachine } from '../synth/claims';
import { applySyncPolicies } from '../gitops/sync-policy';
import { DEFAULT_MACHINE_NAMESPACE } from '../api/machine-claim';
import { MACHINE_API_VERSION, MACHINE_KIND } from '../api/machine-schema';
import { CLAIM_COMPOSITE_DELETE_POLICY } from './machine-definition';
import { Topology } from '../synth/settings';
import { checkFleet } from '../validation/fleet-checks';
import { formatProblem, Problem } from '../validation/problem';
import { validatedMachineOf, validateMachine } from '../validation/validate-machines';

export interface MachineObjectMetadata {
  /**
   * RFC 1123 label; also the default hostname. Renaming a Machine replaces its VM: treat it as a contract.
   * @default - the construct id
   */
  readonly name?: string;
  /** @default 'infra-machines' */
  readonly namespace?: string;
  /** @default - none */
  readonly labels?: Record<string, string>;
  /** @default - none */
  readonly annotations?: Record<string, string>;
}

export interface MachineProps {
  /** @default - named after the construct id, in namespace `infra-machines` */
  readonly metadata?: MachineObjectMetadata;
  /** The Machine API's spec (see docs/machine-reference.md); defaults are filled in from the XRD schema. */
  readonly spec: MachineSpec;
  /**
   * Where the Machine was declared, named first in every validation message (e.g. `claims/dns01.ts`).
   * @default - the construct path
   */
  readonly source?: string;
  /**
   * The platform's topology: in the legacy one a Machine is a Crossplane claim.
   * @default Topology.NAMESPACED
   */
  readonly topology?: Topology;
}

/** A Machine: validated at `app.synth()`, written with its defaults, never with a generated name. */
export class Machine extends Construct {
  /** Whether `x` is a Machine construct (works across copies of this package). */
  public static isMachine(x: unknown): x is Machine {
    return x !== null && typeof x === 'object' && MACHINE_SYMBOL in x;
  }

  /** `metadata.name`: the construct id unless given. */
  public readonly name: string;
  public readonly namespace: string;
  /** The spec as written: the given spec with the XRD schema's defaults filled in (as given when invalid). */
  public readonly spec: MachineSpec;
  /** Where the Machine was declared, for messages. */
  public readonly source: string;
  /** The Kubernetes object written to the manifest. */
  public readonly apiObject: ApiObject;
  /** Problems of this Machine on its own (schema, CEL rules, credentials); reported at synth. */
  public readonly problems: readonly Problem[];
  private readonly validated?: LoadedMachine;

  constructor(scope: Construct, id: string, props: MachineProps) {
    super(scope, id);
    Object.defineProperty(this, MACHINE_SYMBOL, { value: true });
    this.name = props.metadata?.name ?? id;
    this.namespace = props.metadata?.namespace ?? DEFAULT_MACHINE_NAMESPACE;
    this.source = props.source ?? this.node.path;

    const metadata = { ...props.metadata, name: this.name, namespace: this.namespace };
    // A spec synth has validated already (the repository's app) is taken as it is; any other is validated
    // here, on a copy, since validation fills the schema's defaults in.
    const known = validatedMachineOf(props.spec);
    const checked = known?.id === `${this.namespace}/${this.name}`
      ? { machine: known, problems: [] }
      : validateMachine({ file: this.source, index: 0, document: { apiVersion: MACHINE_API_VERSION, kind: MACHINE_KIND, metadata, spec: structuredClone(props.spec) } });
    this.problems = checked.problems;
    this.validated = checked.machine;
    this.spec = checked.machine?.spec ?? props.spec;
    this.node.addValidation({ validate: () => this.problems.map(formatProblem) });
    watchFleet(this.node.root);

    const manifestProps = { metadata, spec: this.spec };
    if (props.topology === Topology.LEGACY) {
      // The generated binding knows the Machine API only; the claim's own field is added to its manifest.
      const manifest = MachineObject.manifest(manifestProps);
      this.apiObject = new ApiObject(this, 'Resource', { ...manifest, spec: { ...manifest.spec, compositeDeletePolicy: CLAIM_COMPOSITE_DELETE_POLICY } });
    } else {
      this.apiObject = new MachineObject(this, 'Resource', manifestProps);
    }
    applySyncPolicies(this);
  }

  /** The Machine as the fleet rules see it, when valid on its own. */
  public toLoadedMachine(): LoadedMachine | undefined {
    return this.validated;
  }
}

const MACHINE_SYMBOL = Symbol.for('@kubelize/fabric.Machine');
const WATCHED = new WeakSet<IConstruct>();

/**
 * Fleet rules (unique names, hostnames, static IPs, VMIDs) span every Machine of the app, whatever chart
 * holds it: one validation on the root, added by the first Machine, checks them all at synth.
 */
function watchFleet(root: IConstruct): void {
  if (WATCHED.has(root)) return;
  WATCHED.add(root);
  root.node.addValidation({
    validate: () => {
      const machines = root.node.findAll().filter(Machine.isMachine).map((m) => m.toLoadedMachine()).filter((m): m is LoadedMachine => m !== undefined);
      return checkFleet(machines).map(formatProblem);
    },
  });
}

/** Every Machine construct below `scope`. */
export function machinesOf(scope: IConstruct): Machine[] {
  return scope.node.findAll().filter(Machine.isMachine);
}

