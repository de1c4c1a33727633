/**
 * Monitoring of Machines for a cluster that runs prometheus-operator and kube-state-metrics: the
 * ScrapeConfig of every Machine's node exporter, the alert rules, and the kube-state-metrics configuration
 * that makes Machines' Ready state metrics. `FleetMonitoring` is all of them, as `npm run synth` writes
 * them with `fabric.monitoring` on (dist/cluster/monitoring/). See docs/monitoring.md.
 *
 * They are written for an Argo CD Application of their own (`monitoringApplicationProps`): a cluster without
 * the operator has no ScrapeConfig kind, and Argo CD fails a sync naming an unknown kind before applying
 * anything, unless SkipDryRunOnMissingResource is set, and then that object's wave fails and later waves
 * never run (argo-cd v3.5.1 gitops-engine/pkg/sync/sync_context.go:478-500, 1044-1094, 686-700).
 */
import { ApiObject } from 'cdk8s';
import type { KubeClusterRoleProps, KubeConfigMapProps } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { MACHINE_GROUP, MACHINE_PLURAL } from '../api/machine-schema';
import { ResolvedMachine } from '../api/machine-claim';
import { NODE_EXPORTER_PORT } from '../nixos/node-exporter';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr, ScrapeConfig } from '../../imports/monitoring.coreos.com';
import { Kustomization, KustomizationSpecDeletionPolicy, KustomizationSpecSourceRefKind } from '../../imports/kustomize.toolkit.fluxcd.io';
import { FLUX_NAMESPACE, FLUX_SOURCE_NAME } from '../gitops/flux';
import { MONITORING_APPLICATION_NAME } from '../gitops/argocd';
import { machineAlertRules } from '../monitoring/alert-rules';
import { MACHINE_METRICS_CONFIG_KEY, machineMetricsConfig } from '../monitoring/machine-metrics';
import { DEFAULT_MONITORING_NAMESPACE, MonitoringSettings } from '../monitoring/settings';
import { MACHINE_SCRAPE_JOB, machineTargets } from '../monitoring/scrape-targets';

/** The name of every monitoring object unless given. */
export const MONITORING_OBJECT_NAME = 'fabric-machines';

interface MonitoringObjectProps {
  /** @default 'monitoring' */
  readonly namespace?: string;
  /** @default 'fabric-machines' */
  readonly name?: string;
  /** Labels for the Prometheus' selectors, e.g. `release: kube-prometheus-stack`. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

const metadataOf = (props: MonitoringObjectProps) => ({
  name: props.name ?? MONITORING_OBJECT_NAME,
  namespace: props.namespace ?? DEFAULT_MONITORING_NAMESPACE,
  ...(props.labels && Object.keys(props.labels).length > 0 ? { labels: { ...props.labels } } : {}),
});

export interface MachineScrapeConfigProps extends MonitoringObjectProps {
  /** The Machines to scrape: those with a static ip or a domain, unless tagged `monitoring: disabled`. */
  readonly machines: readonly ResolvedMachine[];
  /** The node exporter's port on the Machines. @default 9100 */
  readonly port?: number;
  /** A Prometheus duration. @default - the Prometheus' own scrape interval */
  readonly scrapeInterval?: string;
}

/**
 * A prometheus-operator ScrapeConfig (monitoring.coreos.com/v1alpha1) of the Machines' node exporters, one
 * static target per Machine labelled namespace, machine, node, pool and `tag_<key>`. Its job is
 * `fabric-machines`, what the alert rules select.
 */
export class MachineScrapeConfig extends Construct {
  public readonly apiObject: ScrapeConfig;

  constructor(scope: Construct, id: string, props: MachineScrapeConfigProps) {
    super(scope, id);
    const targets = machineTargets(props.machines, props.port ?? NODE_EXPORTER_PORT);
    this.apiObject = new ScrapeConfig(this, 'Resource', {
      metadata: metadataOf(props),
      spec: {
        jobName: MACHINE_SCRAPE_JOB,
        ...(props.scrapeInterval ? { scrapeInterval: props.scrapeInterval } : {}),
        // The CRD requires at least one target per static config: a fleet with nothing to scrape has none.
        staticConfigs: targets.map(({ target, labels }) => ({ targets: [target], labels: { ...labels } })),
      },
    });
  }
}

/** A PrometheusRule (monitoring.coreos.com/v1) with the fleet's alerts: Machine down, exporter missing, disk filling up, not Ready. */
export class MachineAlertRules extends Construct {
  public readonly apiObject: PrometheusRule;

  constructor(scope: Construct, id: string, props: MonitoringObjectProps = {}) {
    super(scope, id);
    this.apiObject = new PrometheusRule(this, 'Resource', {
      metadata: metadataOf(props),
      spec: {
        groups: machineAlertRules().map((group) => ({
          name: group.name,
          rules: group.rules.map((rule) => ({ ...rule, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr), labels: { ...rule.labels }, annotations: { ...rule.annotations } })),
        })),
      },
    });
  }
}

/**
 * kube-state-metrics' custom-resource-state configuration for Machines, in a ConfigMap (key `config.yaml`)
 * to mount into kube-state-metrics and name with `--custom-resource-state-config-file`, and the ClusterRole
 * kube-state-metrics needs to list and watch Machines and find their CRD; bind it to its ServiceAccount.
 */
export class MachineMetricsConfig extends Construct {
  public readonly configMap: ApiObject;
  public readonly clusterRole: ApiObject;

  constructor(scope: Construct, id: string, props: MonitoringObjectProps = {}) {
    super(scope, id);
    const metadata = metadataOf(props);
    const configMap: KubeConfigMapProps = { metadata, data: { [MACHINE_METRICS_CONFIG_KEY]: YAML.stringify(machineMetricsConfig()) } };
    this.configMap = new ApiObject(this, 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', ...configMap });
    // kube-state-metrics discovers the custom resource through its CRD, then lists and watches it
    // (kube-state-metrics v2.20.0 docs/metrics/extend/customresourcestate-metrics.md).
    const role: KubeClusterRoleProps = {
      metadata: { name: `${metadata.name}-metrics`, ...(metadata.labels ? { labels: metadata.labels } : {}) },
      rules: [
        { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['list', 'watch'] },
        { apiGroups: [MACHINE_GROUP], resources: [MACHINE_PLURAL], verbs: ['list', 'watch'] },
      ],
    };
    this.clusterRole = new ApiObject(this, 'ClusterRole', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', ...role });
  }
}

export interface FleetMonitoringProps {
  readonly machines: readonly ResolvedMachine[];
  readonly settings: MonitoringSettings;
}

/** Everything a cluster with prometheus-operator and kube-state-metrics needs to watch these Machines. */
export class FleetMonitoring extends Construct {
  public readonly scrapeConfig: MachineScrapeConfig;
  public readonly alertRules: MachineAlertRules;
  public readonly machineMetrics: MachineMetricsConfig;

  constructor(scope: Construct, id: string, props: FleetMonitoringProps) {
    super(scope, id);
    const { namespace, labels, scrapeInterval, nodeExporter } = props.settings;
    this.scrapeConfig = new MachineScrapeConfig(this, 'ScrapeConfig', { machines: props.machines, namespace, labels, scrapeInterval, port: nodeExporter.port });
    this.alertRules = new MachineAlertRules(this, 'AlertRules', { namespace, labels });
    this.machineMetrics = new MachineMetricsConfig(this, 'MachineMetrics', { namespace, labels });
  }
}

export interface FluxMonitoringKustomizationProps {
  /** The GitRepository it applies from (in `namespace`). @default 'fabric' */
  readonly sourceName?: string;
  /** The monitoring folder in the repository. @default 'dist/cluster/monitoring' */
  readonly path?: string;
  /** @default 'fabric-monitoring' */
  readonly name?: string;
  /** Where Flux runs. @default 'flux-system' */
  readonly namespace?: string;
}

/**
 * With Flux, the Kustomization of the monitoring folder, which no other Kustomization depends on: Flux
 * dry-runs every object of a Kustomization before applying any and an unknown kind fails it whole (fluxcd/pkg/ssa
 * v0.76.2 manager_apply.go:252-284), so without prometheus-operator only this one is not Ready. Its
 * namespace must exist (no Namespace object is written: pruning one would take the user's Prometheus with it).
 */
export class FluxMonitoringKustomization extends Construct {
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: FluxMonitoringKustomizationProps = {}) {
    super(scope, id);
    const folder = (props.path ?? 'dist/cluster/monitoring').replace(/^(\.\/)+/, '').replace(/^\/+|\/+$/g, '');
    this.apiObject = new Kustomization(this, 'Resource', {
      metadata: { name: props.name ?? MONITORING_APPLICATION_NAME, namespace: props.namespace ?? FLUX_NAMESPACE },
      spec: {
        interval: '10m',
        retryInterval: '1m',
        sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: props.sourceName ?? FLUX_SOURCE_NAME },
        path: `./${folder}`,
        prune: true,
        deletionPolicy: KustomizationSpecDeletionPolicy.ORPHAN,
      },
    });
  }
}
