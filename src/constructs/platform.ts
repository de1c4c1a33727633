/**
 * Everything a cluster with Crossplane v2 needs to run Machines: the provider and function packages, the
 * provider config and the Machine API, each object with the sync policy that keeps the foundation from
 * being pruned. The Platform also owns the fleet's rules: at `app.synth()` it checks every Machine of its
 * app against the others (names, hostnames, static IPs, VMIDs), against the namespaces the cluster and the
 * platform run in, and against its topology.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { machineId } from '../api/machine-claim';
import { ProviderRuntimeSettings } from '../platform/provider-runtime';
import { DEFAULT_CREDENTIALS_SECRET, SecretReference } from '../platform/proxmox-credentials';
import { applySyncPolicies } from '../gitops/sync-policy';
import { FleetProblem, fleetProblems } from '../validation/fleet-rules';
import { CrossplanePackages } from './crossplane-packages';
import { FleetMachine, machinesIn } from './fleet';
import { MachineApi, MachineApiProps } from './machine-api';
import { machineNamespace } from './machine-namespace';
import { ProxmoxProviderConfig } from './provider-config';

/** Kubernetes' own namespaces and the platform's: a Machine there would share their lifecycle and RBAC. */
export const SYSTEM_NAMESPACES = ['default', 'kube-*', 'argocd', 'crossplane-system'] as const;

export interface PlatformProps extends MachineApiProps {
  /**
   * The Secret holding the Proxmox api_url, token_id and token_secret; referenced, never read.
   * @default - proxmox-terraform-creds in crossplane-system
   */
  readonly credentialsSecret?: SecretReference;
  /** provider-terraform's concurrency, poll interval and pod size. @default PROVIDER_RUNTIME_DEFAULTS */
  readonly providerRuntime?: ProviderRuntimeSettings;
}

/** Everything a cluster with Crossplane v2 needs to run Machines. */
export class Platform extends Construct {
  public readonly packages: CrossplanePackages;
  public readonly providerConfig: ProxmoxProviderConfig;
  public readonly machineApi: MachineApi;
  /** Namespaces no Machine may live in: SYSTEM_NAMESPACES and the credentials Secret's. */
  public readonly reservedNamespaces: readonly string[];

  constructor(scope: Construct, id: string, props: PlatformProps = {}) {
    super(scope, id);
    const credentialsSecret = props.credentialsSecret ?? DEFAULT_CREDENTIALS_SECRET;
    this.packages = new CrossplanePackages(this, 'Packages', { providerRuntime: props.providerRuntime, credentialsSecret });
    this.providerConfig = new ProxmoxProviderConfig(this, 'ProviderConfig', { credentialsSecret, topology: props.topology, bootstrap: props.bootstrap });
    this.machineApi = new MachineApi(this, 'MachineApi', { ...props, providerConfig: this.providerConfig });
    this.reservedNamespaces = [...new Set<string>([...SYSTEM_NAMESPACES, credentialsSecret.namespace])].sort();
    applySyncPolicies(this);
    this.node.addValidation({ validate: () => this.fleetProblems(machinesIn(this.node.root)).map((problem) => `${problem.machine.source}: Machine ${machineId(problem.machine)}: ${problem.path} ${problem.message((other) => other.source)}`) });
  }

  /** The Namespace `name` of Machines, written once beside the platform. */
  public machineNamespace(name: string): ApiObject {
    return machineNamespace(this, name);
  }

  /** The fleet's problems among `machines`: the fleet rules, and Machines written for another topology. */
  public fleetProblems<M extends FleetMachine>(machines: readonly M[]): FleetProblem<M>[] {
    const topology = this.machineApi.topology;
    const mismatched: FleetProblem<M>[] = machines.filter((machine) => machine.topology !== topology).map((machine) => ({
      machine,
      path: 'spec',
      message: () => `is written for the ${machine.topology} topology, but Platform ${this.node.path} serves the ${topology} one; give the Machine \`platform\` so it is written for it`,
    }));
    return [...mismatched, ...fleetProblems(machines, this.reservedNamespaces)];
  }
}
