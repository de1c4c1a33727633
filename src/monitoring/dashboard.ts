/**
 * A Grafana dashboard of the fleet (import it, or load it with Grafana's provisioning or the dashboard
 * sidecar): Machines up and down, per Machine and per Proxmox node, and Machines not Ready. It reads the
 * series the ScrapeConfig and the kube-state-metrics configuration produce, from a Prometheus data source
 * chosen on the dashboard.
 */
import { MACHINE_METRIC_PREFIX } from './machine-metrics';
import { MACHINE_SCRAPE_JOB } from './scrape-targets';

export const DASHBOARD_UID = 'fabric-machines';

/** The dashboard model, as Grafana's "Import dashboard" takes it. */
export function fleetDashboard(job: string = MACHINE_SCRAPE_JOB): object {
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  const scraped = `job="${job}"`;
  const panel = (id: number, title: string, type: string, gridPos: object, targets: Array<{ expr: string; legendFormat?: string; format?: string; instant?: boolean }>, extra: object = {}) => ({
    id, title, type, datasource, gridPos,
    targets: targets.map((target, index) => ({ refId: String.fromCharCode(65 + index), datasource, ...target })),
    ...extra,
  });
  const upDown = { mappings: [{ type: 'value', options: { 0: { text: 'down', color: 'red' }, 1: { text: 'up', color: 'green' } } }] };
  return {
    uid: DASHBOARD_UID,
    title: 'Fabric Machines',
    tags: ['fabric'],
    schemaVersion: 39,
    editable: true,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: { list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus' }] },
    panels: [
      panel(1, 'Machines up', 'stat', { x: 0, y: 0, w: 6, h: 4 }, [{ expr: `sum(up{${scraped}})` }]),
      panel(2, 'Machines down', 'stat', { x: 6, y: 0, w: 6, h: 4 }, [{ expr: `count(up{${scraped}} == 0) or vector(0)` }],
        { fieldConfig: { defaults: { thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 1 }] } }, overrides: [] } }),
      panel(3, 'Machines not Ready', 'stat', { x: 12, y: 0, w: 6, h: 4 },
        [{ expr: `count(${MACHINE_METRIC_PREFIX}_machine_info unless on (namespace, machine) (${MACHINE_METRIC_PREFIX}_machine_ready == 1)) or vector(0)` }]),
      panel(4, 'Up per Proxmox node', 'bargauge', { x: 18, y: 0, w: 6, h: 4 }, [{ expr: `sum by (node) (up{${scraped}})`, legendFormat: '{{node}}' }]),
      panel(5, 'Up per Machine', 'state-timeline', { x: 0, y: 4, w: 24, h: 10 }, [{ expr: `up{${scraped}}`, legendFormat: '{{namespace}}/{{machine}} ({{node}})' }],
        { fieldConfig: { defaults: upDown, overrides: [] } }),
    ],
  };
}

/** The dashboard as the JSON file synth writes. */
export function fleetDashboardJson(job?: string): string {
  return `${JSON.stringify(fleetDashboard(job), null, 2)}\n`;
}
