/**
 * The monitoring files synth writes beside dist/cluster/ (dist/monitoring/): the Prometheus file_sd file for a
 * Prometheus without the operator, and the Grafana dashboard. Not under dist/cluster/: Argo CD reads every
 * .json file below its path as one Kubernetes object (argo-cd v3.5.1 reposerver/repository/repository.go),
 * and a file_sd list is none.
 */
import { ResolvedMachine } from '../api/machine-claim';
import { fleetDashboardJson } from '../monitoring/dashboard';
import { MonitoringSettings } from '../monitoring/settings';
import { fileSdJson, MACHINE_SCRAPE_JOB, machineTargets } from '../monitoring/scrape-targets';

/** Below dist/. */
export const MONITORING_DIR = 'monitoring';
export const FILE_SD_FILE = `${MONITORING_DIR}/file-sd/${MACHINE_SCRAPE_JOB}.json`;
export const DASHBOARD_FILE = `${MONITORING_DIR}/grafana/${MACHINE_SCRAPE_JOB}.json`;

/** dist/-relative path → text; none when monitoring is off. */
export function monitoringFiles(machines: readonly ResolvedMachine[], settings: MonitoringSettings | undefined): Map<string, string> {
  const files = new Map<string, string>();
  if (!settings) return files;
  files.set(FILE_SD_FILE, fileSdJson(machineTargets(machines, settings.nodeExporter.port)));
  if (settings.grafanaDashboard) files.set(DASHBOARD_FILE, fleetDashboardJson());
  return files;
}
