/**
 * What a fleet's monitoring is: package.json `fabric.monitoring` (absent or false: off), resolved and
 * checked once. The constructs take the resolved form.
 */
import * as net from 'net';
import { RFC1123_LABEL } from '../api/machine-schema';
import { NODE_EXPORTER_PORT, NodeExporterSettings } from '../nixos/node-exporter';
import { didYouMean } from '../util/suggest';

/** Where the monitoring objects go unless set: kube-prometheus-stack's usual namespace. */
export const DEFAULT_MONITORING_NAMESPACE = 'monitoring';

export interface MonitoringSettings {
  /** Namespace of the ScrapeConfig, PrometheusRule and kube-state-metrics ConfigMap. @default 'monitoring' */
  readonly namespace: string;
  /**
   * Labels on every monitoring object, for the Prometheus' `scrapeConfigSelector` and `ruleSelector` (e.g.
   * `release: kube-prometheus-stack`, which that chart selects on unless told otherwise). @default {}
   */
  readonly labels: Readonly<Record<string, string>>;
  /** How often Prometheus scrapes each Machine, a Prometheus duration. @default the Prometheus' own interval */
  readonly scrapeInterval?: string;
  readonly nodeExporter: NodeExporterSettings;
  /** Also write a Grafana dashboard of the fleet to dist/monitoring/grafana/. @default true */
  readonly grafanaDashboard: boolean;
}

export type MonitoringSettingsInput = Partial<Omit<MonitoringSettings, 'nodeExporter'>> & {
  readonly nodeExporter?: Partial<NodeExporterSettings>;
};

/** Prometheus' duration, as the ScrapeConfig CRD's pattern for scrapeInterval has it. */
const PROMETHEUS_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
/** A label name Kubernetes accepts: optional DNS prefix, then a name of at most 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

const KEYS = ['namespace', 'labels', 'scrapeInterval', 'nodeExporter', 'grafanaDashboard'];
const NODE_EXPORTER_KEYS = ['port', 'allowFrom'];

/** True when `cidr` is an IPv4 or IPv6 network in CIDR notation. */
export function isCidr(cidr: string): boolean {
  const [address, prefix, ...rest] = cidr.split('/');
  if (rest.length > 0 || prefix === undefined || !/^[0-9]{1,3}$/.test(prefix)) return false;
  const bits = net.isIPv4(address) ? 32 : net.isIPv6(address) ? 128 : 0;
  return bits > 0 && Number(prefix) <= bits;
}

/**
 * The resolved settings, or undefined when monitoring is off. `error` makes the caller's error type from a
 * message naming the setting.
 */
export function resolveMonitoringSettings(input: MonitoringSettingsInput | boolean | undefined, error: (message: string) => Error): MonitoringSettings | undefined {
  if (input === undefined || input === false) return undefined;
  const at = (key: string) => `package.json: fabric.monitoring${key ? `.${key}` : ''}`;
  if (input === true || typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw error(`${at('')} must be an object (at least { "nodeExporter": { "allowFrom": [...] } }) or false, got ${JSON.stringify(input)}`);
  }
  for (const key of Object.keys(input)) {
    if (!KEYS.includes(key)) throw error(`${at(key)} is not a setting${didYouMean(key, KEYS)} (known: ${KEYS.join(', ')})`);
  }
  const namespace = input.namespace ?? DEFAULT_MONITORING_NAMESPACE;
  if (typeof namespace !== 'string' || namespace.length > 63 || !new RegExp(RFC1123_LABEL).test(namespace)) {
    throw error(`${at('namespace')} must be a namespace name (an RFC 1123 label), got ${JSON.stringify(namespace)}`);
  }
  const labels = input.labels ?? {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) throw error(`${at('labels')} must be an object of label names to values`);
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY.test(key) || typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      throw error(`${at('labels')}: ${JSON.stringify(key)}: ${JSON.stringify(value)} is not a Kubernetes label`);
    }
  }
  if (input.scrapeInterval !== undefined && (typeof input.scrapeInterval !== 'string' || !PROMETHEUS_DURATION.test(input.scrapeInterval) || input.scrapeInterval === '')) {
    throw error(`${at('scrapeInterval')} must be a Prometheus duration such as "30s" or "1m", got ${JSON.stringify(input.scrapeInterval)}`);
  }
  const grafanaDashboard = input.grafanaDashboard ?? true;
  if (typeof grafanaDashboard !== 'boolean') throw error(`${at('grafanaDashboard')} must be true or false, got ${JSON.stringify(grafanaDashboard)}`);
  return { namespace, labels, ...(input.scrapeInterval ? { scrapeInterval: input.scrapeInterval } : {}), nodeExporter: resolveNodeExporter(input.nodeExporter, at, error), grafanaDashboard };
}

function resolveNodeExporter(input: Partial<NodeExporterSettings> | undefined, at: (key: string) => string, error: (message: string) => Error): NodeExporterSettings {
  for (const key of Object.keys(input ?? {})) {
    if (!NODE_EXPORTER_KEYS.includes(key)) throw error(`${at(`nodeExporter.${key}`)} is not a setting${didYouMean(key, NODE_EXPORTER_KEYS)} (known: ${NODE_EXPORTER_KEYS.join(', ')})`);
  }
  const port = input?.port ?? NODE_EXPORTER_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw error(`${at('nodeExporter.port')} must be a TCP port (1-65535), got ${JSON.stringify(port)}`);
  const allowFrom = input?.allowFrom;
  // No default: opening the exporter to everyone is a decision, not something to fall into.
  if (!Array.isArray(allowFrom) || allowFrom.length === 0) {
    throw error(`${at('nodeExporter.allowFrom')} is not set: the CIDRs your Prometheus scrapes from (e.g. ["10.0.1.0/24"]); each Machine's node exporter port is opened to them only`);
  }
  const bad = allowFrom.filter((cidr) => typeof cidr !== 'string' || !isCidr(cidr));
  if (bad.length > 0) throw error(`${at('nodeExporter.allowFrom')} must hold IPv4 or IPv6 CIDRs such as "10.0.1.0/24", got ${bad.map((cidr) => JSON.stringify(cidr)).join(', ')}`);
  return { port, allowFrom };
}
