/**
 * The fleet's alerting rules, as a Prometheus rule file's content (`groups`): the `spec` of the
 * PrometheusRule synth writes, and what `promtool check rules` / `promtool test rules` read. Each alert is
 * tested firing and resolving in test/monitoring.test.ts.
 */
import { PROVIDER_TIMEOUT_MINUTES } from '../platform/timeouts';
import { MACHINE_METRIC_PREFIX } from './machine-metrics';
import { MACHINE_SCRAPE_JOB } from './scrape-targets';

export const MACHINE_ALERT_GROUP = 'fabric-machines';

/** One rule as a Prometheus rule file writes it. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/**
 * How long a Machine may be not Ready before it is an alert: longer than one create can take, as
 * provider-terraform kills a reconcile that outlives its `--timeout` (src/platform/timeouts.ts).
 */
export const NOT_READY_FOR_MINUTES = PROVIDER_TIMEOUT_MINUTES;

/** File systems that never fill from use, or are not the Machine's disks. */
const DISK_SELECTOR = 'fstype!~"tmpfs|ramfs|overlay|squashfs",mountpoint!~"/nix/store|/run.*|/boot.*"';

/** The rule groups for Machines scraped as `job`. */
export function machineAlertRules(job: string = MACHINE_SCRAPE_JOB): RuleGroup[] {
  const scraped = `job="${job}"`;
  const info = `${MACHINE_METRIC_PREFIX}_machine_info`;
  const ready = `${MACHINE_METRIC_PREFIX}_machine_ready`;
  return [{
    name: MACHINE_ALERT_GROUP,
    rules: [
      {
        alert: 'FabricMachineDown',
        // up is 0 while scrapes of a listed target fail: the VM is off, unreachable, or its exporter is gone.
        expr: `up{${scraped}} == 0`,
        for: '5m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'Machine {{ $labels.namespace }}/{{ $labels.machine }} is down',
          description: 'The node exporter of {{ $labels.machine }} on Proxmox node {{ $labels.node }} ({{ $labels.instance }}) has not answered a scrape for 5 minutes.',
        },
      },
      {
        alert: 'FabricNodeExporterMissing',
        // Not one target of the job: the scrape configuration is not selected by this Prometheus, or lists nothing.
        expr: `absent(up{${scraped}})`,
        for: '10m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'No Fabric Machine is scraped',
          description: `Prometheus has no target of the job ${job}: is the ScrapeConfig selected by this Prometheus?`,
        },
      },
      {
        alert: 'FabricMachineDiskFillingUp',
        // Less than 20% left, and full within 24 hours at the rate of the last 6 hours.
        expr: [
          `(node_filesystem_avail_bytes{${scraped},${DISK_SELECTOR}} / node_filesystem_size_bytes{${scraped},${DISK_SELECTOR}} < 0.2)`,
          `and predict_linear(node_filesystem_avail_bytes{${scraped},${DISK_SELECTOR}}[6h], 24 * 3600) < 0`,
          `and node_filesystem_readonly{${scraped}} == 0`,
        ].join('\n'),
        for: '1h',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Disk of {{ $labels.machine }} is filling up',
          description: '{{ $labels.mountpoint }} on {{ $labels.machine }} has {{ $value | humanizePercentage }} left and will be full within 24 hours.',
        },
      },
      {
        alert: 'FabricMachineNotReady',
        // Every Machine has an info series (kube-state-metrics, machine-metrics.ts); one without Ready=True,
        // including one with no Ready condition yet, is not Ready.
        expr: `${info} unless on (namespace, machine) (${ready} == 1)`,
        for: `${NOT_READY_FOR_MINUTES}m`,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Machine {{ $labels.namespace }}/{{ $labels.machine }} is not Ready',
          description: `The Machine has not been Ready for ${NOT_READY_FOR_MINUTES} minutes, longer than a create takes: see \`kubectl describe machine -n {{ $labels.namespace }} {{ $labels.machine }}\`.`,
        },
      },
    ],
  }];
}
