/**
 * Machines as metrics: kube-state-metrics' custom-resource-state configuration (`--custom-resource-state-
 * config-file`), as data. Format: kube-state-metrics v2.20.0 pkg/customresourcestate/config.go:38-166 and
 * config_metrics_types.go:20-60; parsed and run by its own code in test/monitoring.test.ts (tools/ksm-check).
 */
import { MACHINE_GROUP, MACHINE_KIND, MACHINE_VERSION } from '../api/machine-schema';

/** Every metric's name starts `fabric_` (without a prefix kube-state-metrics writes `kube_customresource_`). */
export const MACHINE_METRIC_PREFIX = 'fabric';

/** The key of the ConfigMap that holds the configuration, mounted as a file for kube-state-metrics. */
export const MACHINE_METRICS_CONFIG_KEY = 'config.yaml';

/** The configuration; its metrics are fabric_machine_info, _ready, _ready_since and _vmid. */
export function machineMetricsConfig(): object {
  return {
    kind: 'CustomResourceStateMetrics',
    spec: {
      resources: [{
        groupVersionKind: { group: MACHINE_GROUP, version: MACHINE_VERSION, kind: MACHINE_KIND },
        metricNamePrefix: MACHINE_METRIC_PREFIX,
        // The same names as the scrape targets' labels, so the alert rules join on them.
        labelsFromPath: {
          namespace: ['metadata', 'namespace'],
          machine: ['metadata', 'name'],
          node: ['spec', 'proxmox', 'node'],
          pool: ['spec', 'proxmox', 'pool'],
        },
        metrics: [
          {
            name: 'machine_info',
            help: 'One series per Machine, with its VMID and address once known.',
            each: {
              type: 'Info',
              info: {
                // An Info series is written only when one of its own labels resolves (registry_factory.go:
                // 373-383): uid always does, so a Machine without status has its series too.
                labelsFromPath: { uid: ['metadata', 'uid'], vmid: ['status', 'vmId'], ip: ['status', 'ipAddress'] },
              },
            },
          },
          {
            name: 'machine_ready',
            help: "1 when the Machine's Ready condition is True, 0 when False or Unknown; its reason as a label.",
            each: {
              type: 'Gauge',
              gauge: { path: ['status', 'conditions', '[type=Ready]'], labelsFromPath: { reason: ['reason'] }, valueFrom: ['status'] },
            },
          },
          {
            name: 'machine_ready_since',
            help: "When the Machine's Ready condition last changed, in Unix seconds.",
            each: { type: 'Gauge', gauge: { path: ['status', 'conditions', '[type=Ready]'], valueFrom: ['lastTransitionTime'] } },
          },
          {
            name: 'machine_vmid',
            help: "The Proxmox VMID of the Machine's VM.",
            each: { type: 'Gauge', gauge: { path: ['status', 'vmId'] } },
          },
        ],
      }],
    },
  };
}
