/**
 * Monitoring (docs/monitoring.md): the settings, which Machines are scraped and as what, and the objects
 * synth writes, checked by the real code that reads them: the pinned prometheus-operator CRDs, promtool
 * (prometheus v0.316.0: `check rules`, `check config`, `test rules`) and kube-state-metrics v2.20.0's
 * custom-resource-state code (tools/ksm-check).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { App, Chart, Testing } from 'cdk8s';
import { ArgoCdApplication } from '../src/constructs/argocd';
import { FleetMonitoring, MachineScrapeConfig } from '../src/constructs/monitoring';
import { fleetDashboard } from '../src/monitoring/dashboard';
import { resolveSettings, SettingsError } from '../src/synth/settings';
import { synthesize } from '../src/synth/synthesize';
import { crdProblems, loadCrdSchemas } from './_crd-schemas';
import { checkDocuments, describeExampleFleet, minimalMachine, REPO, TEST_REPO_URL, tempProject } from './_helpers';
import { run } from './_checkers';
import { problemLines, validateTree, withConformance } from './_conformance';
import { CRD_DIR } from './_crd-schemas';
import { describeWithTools } from './_upstream-tools';

const MONITORING = { nodeExporter: { allowFrom: ['10.0.1.0/24'] } };
const settingsWith = (monitoring: unknown) => resolveSettings({ gitops: { repoURL: TEST_REPO_URL }, monitoring } as never);
const DIST = path.join(REPO, 'dist');
const readYaml = (file: string) => YAML.parse(fs.readFileSync(path.join(DIST, file), 'utf8'), { version: '1.1' });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-monitoring-'));

describe('the fabric.monitoring setting', () => {
  test('is off unless set, and off when false', () => {
    expect(settingsWith(undefined).monitoring).toBeUndefined();
    expect(settingsWith(false).monitoring).toBeUndefined();
  });

  test('fills its defaults: namespace monitoring, port 9100, a dashboard', () => {
    expect(settingsWith(MONITORING).monitoring).toEqual({
      namespace: 'monitoring', labels: {}, nodeExporter: { port: 9100, allowFrom: ['10.0.1.0/24'] }, grafanaDashboard: true,
    });
  });

  test.each([
    [{}, 'package.json: fabric.monitoring.nodeExporter.allowFrom is not set: the CIDRs your Prometheus scrapes from (e.g. ["10.0.1.0/24"]); each Machine\'s node exporter port is opened to them only'],
    [true, 'package.json: fabric.monitoring must be an object (at least { "nodeExporter": { "allowFrom": [...] } }) or false, got true'],
    [{ nodeExporter: { allowFrom: ['10.0.1.0', '10.0.1.0/33', 'fd00::/8'] } }, 'package.json: fabric.monitoring.nodeExporter.allowFrom must hold IPv4 or IPv6 CIDRs such as "10.0.1.0/24", got "10.0.1.0", "10.0.1.0/33"'],
    [{ ...MONITORING, namespce: 'x' }, 'package.json: fabric.monitoring.namespce is not a setting; did you mean `namespace`? (known: namespace, labels, scrapeInterval, nodeExporter, grafanaDashboard)'],
    [{ ...MONITORING, scrapeInterval: '30 seconds' }, 'package.json: fabric.monitoring.scrapeInterval must be a Prometheus duration such as "30s" or "1m", got "30 seconds"'],
    [{ ...MONITORING, namespace: 'Monitoring' }, 'package.json: fabric.monitoring.namespace must be a namespace name (an RFC 1123 label), got "Monitoring"'],
    [{ nodeExporter: { allowFrom: ['10.0.0.0/8'], port: 70000 } }, 'package.json: fabric.monitoring.nodeExporter.port must be a TCP port (1-65535), got 70000'],
  ])('%j is refused: %s', (monitoring, message) => {
    expect(() => settingsWith(monitoring)).toThrow(SettingsError);
    expect(() => settingsWith(monitoring)).toThrow(message);
  });
});

/** The ScrapeConfig's spec for these claim documents. */
function scrapeSpec(...documents: Record<string, unknown>[]): Record<string, any> {
  const { machines, problems } = checkDocuments(documents);
  expect(problems).toEqual([]);
  const chart = Testing.chart();
  new MachineScrapeConfig(chart, 'Scrape', { machines, namespace: 'monitoring' });
  return Testing.synth(chart)[0].spec;
}

describe('the scrape targets', () => {
  test('are Machines with a static ip or a domain, at port 9100, labelled namespace, machine, node, pool and tags', () => {
    expect(scrapeSpec(
      minimalMachine('web', { network: { ip: '10.0.1.30', gateway: '10.0.1.1' }, proxmox: { node: 'pve2', pool: 'apps' }, tags: { 'team.name': 'web', env: 'prod' } }),
      minimalMachine('named', { hostname: 'ns2', network: { domain: 'home.arpa' } }),
      minimalMachine('dhcp'),
    )).toEqual({
      jobName: 'fabric-machines',
      staticConfigs: [
        { targets: ['ns2.home.arpa:9100'], labels: { namespace: 'infra-machines', machine: 'named', node: 'pve' } },
        { targets: ['10.0.1.30:9100'], labels: { namespace: 'infra-machines', machine: 'web', node: 'pve2', pool: 'apps', tag_env: 'prod', tag_team_name: 'web' } },
      ],
    });
  });

  test('leave out a Machine tagged monitoring: disabled', () => {
    expect(scrapeSpec(minimalMachine('quiet', { network: { ip: '10.0.1.31', gateway: '10.0.1.1' }, tags: { monitoring: 'disabled' } })).staticConfigs).toEqual([]);
  });
});

describe('the opt-out tag', () => {
  test('a bare `off` in a YAML claim is the boolean false, refused as a tag value', () => {
    const claim = YAML.stringify(minimalMachine('quiet'), { version: '1.1' }).replace(/^spec:\n/m, 'spec:\n  tags:\n    monitoring: off\n');
    expect(() => synthesize({ projectDir: tempProject({ 'quiet.yaml': claim }, { monitoring: MONITORING }) })).toThrow('Machine infra-machines/quiet: spec.tags.monitoring must be a string, got false');
  });
});

describe('synth with monitoring on', () => {
  const claims = {
    'fleet.yaml': [
      minimalMachine('dns01', { network: { ip: '10.0.1.10', gateway: '10.0.1.1' } }),
      minimalMachine('quiet', { network: { ip: '10.0.1.11', gateway: '10.0.1.1' }, tags: { monitoring: 'disabled' } }),
    ],
  };

  test('writes the monitoring objects to their own folder and Application, and the node exporter into the host facts', () => {
    const project = tempProject(claims, { monitoring: { ...MONITORING, labels: { release: 'prom' }, grafanaDashboard: false } });
    const { files } = synthesize({ projectDir: project });
    expect([...files.keys()].filter((file) => /monitoring/.test(file)).sort()).toEqual([
      'argocd/application.argocd.fabric-monitoring.yaml',
      'cluster/monitoring/clusterrole.fabric-machines-metrics.yaml',
      'cluster/monitoring/configmap.monitoring.fabric-machines.yaml',
      'cluster/monitoring/prometheusrule.monitoring.fabric-machines.yaml',
      'cluster/monitoring/scrapeconfig.monitoring.fabric-machines.yaml',
      'monitoring/file-sd/fabric-machines.json',
    ]);
    const fleet = YAML.parse(files.get('argocd/application.argocd.fabric.yaml')!);
    expect(fleet.spec.source.directory).toEqual({ recurse: true, exclude: 'monitoring/*' });
    const app = YAML.parse(files.get('argocd/application.argocd.fabric-monitoring.yaml')!);
    expect(app.spec).toMatchObject({
      source: { path: 'dist/cluster/monitoring', repoURL: TEST_REPO_URL },
      destination: { namespace: 'monitoring' },
      syncPolicy: { syncOptions: ['PruneLast=true', 'SkipDryRunOnMissingResource=true', 'CreateNamespace=true'] },
    });
    expect(YAML.parse(files.get('cluster/monitoring/scrapeconfig.monitoring.fabric-machines.yaml')!).metadata.labels).toEqual({ release: 'prom' });
    expect(JSON.parse(files.get('monitoring/file-sd/fabric-machines.json')!)).toEqual([
      { targets: ['10.0.1.10:9100'], labels: { namespace: 'infra-machines', machine: 'dns01', node: 'pve' } },
    ]);
    expect(JSON.parse(files.get('hosts/infra-machines/dns01.json')!).monitoring).toEqual({ nodeExporter: { port: 9100, allowFromIpv4: ['10.0.1.0/24'], allowFromIpv6: [] } });
    expect(JSON.parse(files.get('hosts/infra-machines/quiet.json')!).monitoring).toBeNull();
  });

  test('with Flux: a Kustomization of its own for the monitoring folder, which no stage depends on', () => {
    const { files } = synthesize({ projectDir: tempProject(claims, { gitops: { engine: 'flux' }, monitoring: MONITORING }) });
    const kustomizations = [...files].filter(([file]) => file.startsWith('flux/kustomization.')).map(([, text]) => YAML.parse(text));
    const own = kustomizations.find((kustomization) => kustomization.metadata.name === 'fabric-monitoring');
    expect(own.spec).toEqual({
      interval: '10m', retryInterval: '1m', sourceRef: { kind: 'GitRepository', name: 'fabric' },
      path: './dist/cluster/monitoring', prune: true, deletionPolicy: 'Orphan',
    });
    expect(kustomizations.flatMap((kustomization) => kustomization.spec.dependsOn ?? []).map((dependency: any) => dependency.name)).not.toContain('fabric-monitoring');
    expect(crdProblems(own, loadCrdSchemas())).toEqual([]);
    expect([...files.keys()].filter((file) => file.startsWith('cluster/monitoring/'))).toHaveLength(4);
  });

  test('writes nothing of it with monitoring off', () => {
    const { files } = synthesize({ projectDir: tempProject(claims) });
    expect([...files.keys()].filter((file) => /monitoring/.test(file))).toEqual([]);
    expect(YAML.parse(files.get('argocd/application.argocd.fabric.yaml')!).spec.source.directory).toEqual({ recurse: true });
    expect(JSON.parse(files.get('hosts/infra-machines/dns01.json')!).monitoring).toBeNull();
  });
});

describe("the example fleet's monitoring objects", () => {
  const folder = path.join(DIST, 'cluster', 'monitoring');
  const objects = fs.readdirSync(folder).map((file) => readYaml(path.join('cluster', 'monitoring', file)));

  test('are a ScrapeConfig, a PrometheusRule, a ConfigMap and a ClusterRole', () => {
    expect(objects.map((object) => `${object.apiVersion} ${object.kind}`).sort()).toEqual([
      'monitoring.coreos.com/v1 PrometheusRule',
      'monitoring.coreos.com/v1alpha1 ScrapeConfig',
      'rbac.authorization.k8s.io/v1 ClusterRole',
      'v1 ConfigMap',
    ]);
  });

  test('validate against the pinned prometheus-operator v0.94.1 CRDs', () => {
    const schemas = loadCrdSchemas();
    const operatorObjects = objects.filter((object) => object.apiVersion.startsWith('monitoring.coreos.com/'));
    expect(Object.fromEntries(operatorObjects.map((object) => [object.kind, crdProblems(object, schemas)]))).toEqual({ PrometheusRule: [], ScrapeConfig: [] });
  });

  withConformance('pass the conformance validator (real RE2 patterns, upstream CEL, metadata), given the pinned CRDs', () => {
    const dir = tmp();
    for (const file of fs.readdirSync(folder)) fs.copyFileSync(path.join(folder, file), path.join(dir, file));
    for (const file of fs.readdirSync(CRD_DIR).filter((name) => name.startsWith('monitoring.coreos.com_'))) fs.copyFileSync(path.join(CRD_DIR, file), path.join(dir, file));
    const report = validateTree(dir);
    expect(problemLines(report, 'error')).toEqual([]);
    expect(problemLines(report, 'warning')).toEqual([]);
    expect(report.documents).toBe(objects.length + 2);
  });

  test('a ScrapeConfig without a target fails the CRD (the validator is live)', () => {
    const scrape = objects.find((object) => object.kind === 'ScrapeConfig');
    expect(crdProblems({ ...scrape, spec: { ...scrape.spec, staticConfigs: [{ targets: [] }] } }, loadCrdSchemas())).toEqual(['/spec/staticConfigs/0/targets: must NOT have fewer than 1 items']);
  });
});

/** What prometheus-operator v0.94.1 renders for a ScrapeConfig (pkg/prometheus/promcfg.go:3468-3580). */
function renderedScrapeJob(scrape: Record<string, any>): Record<string, unknown> {
  return {
    job_name: `scrapeConfig/${scrape.metadata.namespace}/${scrape.metadata.name}`,
    ...(scrape.spec.scrapeInterval ? { scrape_interval: scrape.spec.scrapeInterval } : {}),
    relabel_configs: [
      // initRelabelings (promcfg.go:1244-1252), then job from spec.jobName (3490-3496).
      { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
      { target_label: 'job', action: 'replace', replacement: scrape.spec.jobName },
    ],
    static_configs: scrape.spec.staticConfigs,
  };
}

describeWithTools('the monitoring objects, read by promtool (prometheus v0.316.0)', ['promtool'], ({ promtool }) => {
  const rule = readYaml('cluster/monitoring/prometheusrule.monitoring.fabric-machines.yaml');
  const scrape = readYaml('cluster/monitoring/scrapeconfig.monitoring.fabric-machines.yaml');
  const dir = tmp();
  // A PrometheusRule's spec is a rule file.
  fs.writeFileSync(path.join(dir, 'rules.yaml'), YAML.stringify(rule.spec));

  test('promtool check rules accepts the rules', () => {
    const result = run(promtool, ['check', 'rules', path.join(dir, 'rules.yaml')]);
    expect({ status: result.status, stdout: result.stdout.trim() }).toEqual({ status: 0, stdout: `Checking ${path.join(dir, 'rules.yaml')}\n  SUCCESS: 4 rules found` });
  });

  test('promtool check rules refuses a broken expression (the checker is live)', () => {
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, YAML.stringify({ groups: [{ name: 'x', rules: [{ alert: 'X', expr: 'up{job="a" == 0' }] }] }));
    const result = run(promtool, ['check', 'rules', broken]);
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/FAILED/);
  });

  test('promtool check config accepts the scrape job as the operator renders it, the file_sd job and the rules', () => {
    fs.copyFileSync(path.join(DIST, 'monitoring', 'file-sd', 'fabric-machines.json'), path.join(dir, 'fabric-machines.json'));
    const config = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(config, YAML.stringify({
      rule_files: ['rules.yaml'],
      scrape_configs: [renderedScrapeJob(scrape), { job_name: 'fabric-machines-file-sd', file_sd_configs: [{ files: ['fabric-machines.json'] }] }],
    }));
    const result = run(promtool, ['check', 'config', config]);
    expect(result.stdout + result.stderr).toMatch(/SUCCESS: \S*prometheus\.yml is valid prometheus config file syntax/);
    expect(result.stdout).toMatch(/SUCCESS: 4 rules found/);
    expect(result.status).toBe(0);
  });

  // Its series are the example fleet's dns01 as the committed ScrapeConfig labels it.
  describeExampleFleet('its alerts', () => {
    test('promtool test rules: each alert fires on its series and stays quiet or resolves otherwise', () => {
      // A target exactly as the ScrapeConfig labels it, with the job and instance Prometheus adds.
      const [first] = scrape.spec.staticConfigs;
      const target = { ...first.labels, job: 'fabric-machines', instance: first.targets[0] };
      const series = (name: string, labels: Record<string, string>) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
      const disk = (machine: string, name: string) => series(name, { job: 'fabric-machines', machine, mountpoint: '/', fstype: 'ext4' });
      const machine = { namespace: 'infra-machines', machine: 'dns01' };
      const tests = {
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            name: 'FabricMachineDown fires after 5 minutes without an answer and resolves with the next one',
            interval: '1m',
            input_series: [{ series: series('up', target), values: '1 1 0 0 0 0 0 0 1 1' }],
            alert_rule_test: [
              { eval_time: '3m', alertname: 'FabricMachineDown', exp_alerts: [] },
              {
                eval_time: '7m', alertname: 'FabricMachineDown',
                exp_alerts: [{
                  exp_labels: { ...target, severity: 'critical' },
                  exp_annotations: {
                    summary: `Machine ${target.namespace}/${target.machine} is down`,
                    description: `The node exporter of ${target.machine} on Proxmox node ${target.node} (${target.instance}) has not answered a scrape for 5 minutes.`,
                  },
                }],
              },
              { eval_time: '9m', alertname: 'FabricMachineDown', exp_alerts: [] },
              { eval_time: '9m', alertname: 'FabricNodeExporterMissing', exp_alerts: [] },
            ],
          },
          {
            name: 'FabricNodeExporterMissing fires after 10 minutes without a target of the job',
            interval: '1m',
            input_series: [{ series: 'up{job="other",instance="x:9100"}', values: '1x20' }],
            alert_rule_test: [
              { eval_time: '5m', alertname: 'FabricNodeExporterMissing', exp_alerts: [] },
              {
                eval_time: '11m', alertname: 'FabricNodeExporterMissing',
                exp_alerts: [{ exp_labels: { severity: 'warning', job: 'fabric-machines' }, exp_annotations: { summary: 'No Fabric Machine is scraped', description: 'Prometheus has no target of the job fabric-machines: is the ScrapeConfig selected by this Prometheus?' } }],
              },
            ],
          },
          {
            name: 'FabricMachineDiskFillingUp fires for a disk losing 1 GiB an hour with little left, not for a steady one',
            // A sample a minute: a gap longer than the 5-minute lookback would empty the expression and restart `for`.
            interval: '1m',
            input_series: [
              { series: disk('docker01', 'node_filesystem_avail_bytes'), values: '12884901888-17895697x600' },
              { series: disk('docker01', 'node_filesystem_size_bytes'), values: '107374182400x600' },
              { series: disk('docker01', 'node_filesystem_readonly'), values: '0x600' },
              { series: disk('dns01', 'node_filesystem_avail_bytes'), values: '5368709120x600' },
              { series: disk('dns01', 'node_filesystem_size_bytes'), values: '107374182400x600' },
              { series: disk('dns01', 'node_filesystem_readonly'), values: '0x600' },
            ],
            alert_rule_test: [
              { eval_time: '50m', alertname: 'FabricMachineDiskFillingUp', exp_alerts: [] },
              {
                eval_time: '8h', alertname: 'FabricMachineDiskFillingUp',
                exp_alerts: [{
                  exp_labels: { severity: 'warning', job: 'fabric-machines', machine: 'docker01', mountpoint: '/', fstype: 'ext4' },
                  exp_annotations: { summary: 'Disk of docker01 is filling up', description: '/ on docker01 has 4% left and will be full within 24 hours.' },
                }],
              },
            ],
          },
          {
            name: 'FabricMachineNotReady fires after 45 minutes not Ready and resolves once Ready',
            interval: '5m',
            input_series: [
              { series: series('fabric_machine_info', { ...machine, vmid: '120' }), values: '1x14' },
              { series: series('fabric_machine_ready', { ...machine, reason: 'Creating' }), values: '0x10 _x4' },
              { series: series('fabric_machine_ready', { ...machine, reason: 'Available' }), values: '_x11 1x3' }, // Ready from 55m on
            ],
            alert_rule_test: [
              { eval_time: '40m', alertname: 'FabricMachineNotReady', exp_alerts: [] },
              {
                eval_time: '50m', alertname: 'FabricMachineNotReady',
                exp_alerts: [{
                  exp_labels: { severity: 'warning', ...machine, vmid: '120' },
                  exp_annotations: {
                    summary: 'Machine infra-machines/dns01 is not Ready',
                    description: 'The Machine has not been Ready for 45 minutes, longer than a create takes: see `kubectl describe machine -n infra-machines dns01`.',
                  },
                }],
              },
              { eval_time: '60m', alertname: 'FabricMachineNotReady', exp_alerts: [] },
            ],
          },
        ],
      };
      const file = path.join(dir, 'rules.test.yaml');
      fs.writeFileSync(file, YAML.stringify(tests));
      const result = run(promtool, ['test', 'rules', file]);
      expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({ status: 0, output: expect.stringMatching(/SUCCESS/) });
    });
  });

  test("every query of the Grafana dashboard is PromQL promtool parses (as recording rules)", () => {
    const queries = (fleetDashboard() as { panels: Array<{ targets: Array<{ expr: string }> }> }).panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    expect(queries.length).toBeGreaterThanOrEqual(5);
    const file = path.join(dir, 'dashboard-queries.yaml');
    fs.writeFileSync(file, YAML.stringify({ groups: [{ name: 'dashboard', rules: queries.map((expr, index) => ({ record: `fabric:dashboard_query_${index}`, expr })) }] }));
    const result = run(promtool, ['check', 'rules', file]);
    expect({ status: result.status, stdout: result.stdout.trim() }).toEqual({ status: 0, stdout: `Checking ${file}\n  SUCCESS: ${queries.length} rules found` });
  });

  test('promtool test rules fails a wrong expectation (the unit tests are live)', () => {
    const file = path.join(dir, 'wrong.test.yaml');
    fs.writeFileSync(file, YAML.stringify({
      rule_files: ['rules.yaml'],
      tests: [{ interval: '1m', input_series: [{ series: 'up{job="fabric-machines",instance="a:9100"}', values: '1x10' }], alert_rule_test: [{ eval_time: '8m', alertname: 'FabricMachineDown', exp_alerts: [{ exp_labels: { instance: 'a:9100' } }] }] }],
    }));
    const result = run(promtool, ['test', 'rules', file]);
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/FabricMachineDown/);
  });
});

describeWithTools('the Machine metrics, read by kube-state-metrics v2.20.0 (tools/ksm-check)', ['ksm-check'], ({ 'ksm-check': ksmCheck }) => {
  const configMap = readYaml('cluster/monitoring/configmap.monitoring.fabric-machines.yaml');
  const dir = tmp();
  const config = path.join(dir, 'config.yaml');
  fs.writeFileSync(config, configMap.data['config.yaml']);
  const machines = path.join(dir, 'machines.yaml');
  const at = '2025-01-01T00:05:00Z';
  fs.writeFileSync(machines, [
    { metadata: { name: 'dns01', namespace: 'infra-machines', uid: 'u-dns01' }, spec: { proxmox: { node: 'pve', pool: 'infra' } }, status: { vmId: 120, ipAddress: '10.0.1.10', conditions: [{ type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: at }, { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: at }] } },
    { metadata: { name: 'docker01', namespace: 'infra-machines', uid: 'u-docker01' }, spec: { proxmox: { node: 'pve2' } }, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Creating', lastTransitionTime: at }] } },
    { metadata: { name: 'fresh', namespace: 'infra-machines', uid: 'u-fresh' }, spec: { proxmox: { node: 'pve' } } },
  ].map((object) => YAML.stringify({ apiVersion: 'fabric.kubelize.io/v1alpha1', kind: 'Machine', ...object })).join('---\n'));

  test('the configuration parses and yields info, Ready, its reason and time, and the VMID per Machine', () => {
    const result = run(ksmCheck, [config, machines]);
    expect(result.stderr.split('\n').filter((line) => /error|invalid|not found/i.test(line) && !/got nil while resolving path/.test(line))).toEqual([]);
    expect(result.status).toBe(0);
    const gvk = 'customresource_group="fabric.kubelize.io",customresource_kind="Machine",customresource_version="v1alpha1"';
    const lines = result.stdout.split('\n').filter((line) => line && !line.startsWith('#')).sort();
    expect(lines).toEqual([
      `fabric_machine_info{${gvk},ip="10.0.1.10",machine="dns01",namespace="infra-machines",node="pve",pool="infra",uid="u-dns01",vmid="120"} 1`,
      `fabric_machine_info{${gvk},machine="docker01",namespace="infra-machines",node="pve2",uid="u-docker01"} 1`,
      `fabric_machine_info{${gvk},machine="fresh",namespace="infra-machines",node="pve",uid="u-fresh"} 1`,
      `fabric_machine_ready_since{${gvk},machine="dns01",namespace="infra-machines",node="pve",pool="infra"} 1.7356899e+09`,
      `fabric_machine_ready_since{${gvk},machine="docker01",namespace="infra-machines",node="pve2"} 1.7356899e+09`,
      `fabric_machine_ready{${gvk},machine="dns01",namespace="infra-machines",node="pve",pool="infra",reason="Available"} 1`,
      `fabric_machine_ready{${gvk},machine="docker01",namespace="infra-machines",node="pve2",reason="Creating"} 0`,
      `fabric_machine_vmid{${gvk},machine="dns01",namespace="infra-machines",node="pve",pool="infra"} 120`,
    ].sort());
  });

  test('a misspelt key is refused (the checker is live)', () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, configMap.data['config.yaml'].replace('labelsFromPath:', 'labelFromPath:'));
    const result = run(ksmCheck, [bad]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/field labelFromPath not found/);
  });
});

describe('FleetMonitoring, for a library user', () => {
  test('writes the three objects of a fleet in the namespace and with the labels given', () => {
    const { machines } = checkDocuments([minimalMachine('dns01', { network: { ip: '10.0.1.10', gateway: '10.0.1.1' } })]);
    const app = new App();
    const chart = new Chart(app, 'monitoring');
    new FleetMonitoring(chart, 'Monitoring', { machines, settings: settingsWith({ ...MONITORING, namespace: 'observability', labels: { release: 'prom' }, scrapeInterval: '1m' }).monitoring! });
    const objects = chart.toJson();
    expect(objects.map((object: any) => `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name} ${JSON.stringify(object.metadata.labels)}`)).toEqual([
      'ScrapeConfig observability/fabric-machines {"release":"prom"}',
      'PrometheusRule observability/fabric-machines {"release":"prom"}',
      'ConfigMap observability/fabric-machines {"release":"prom"}',
      'ClusterRole /fabric-machines-metrics {"release":"prom"}',
    ]);
    expect(objects[0].spec.scrapeInterval).toBe('1m');
  });
});

describe('ArgoCdApplication with an exclude', () => {
  test('given a path, excludes only what it is told', () => {
    const chart = new Chart(new App(), 'argocd');
    new ArgoCdApplication(chart, 'App', { repoURL: TEST_REPO_URL, path: 'dist/cluster', exclude: 'monitoring/*' });
    expect(chart.toJson()[0].spec.source.directory).toEqual({ recurse: true, exclude: 'monitoring/*' });
  });

  test('without a path, also leaves out its own chart\'s file: both globs as one alternative, {a,b}', () => {
    const chart = new Chart(new App({ outdir: tmp() }), 'gitops');
    new ArgoCdApplication(chart, 'App', { repoURL: TEST_REPO_URL, exclude: 'monitoring/*' });
    expect(chart.toJson()[0].spec.source.directory).toEqual({ recurse: true, exclude: '{gitops.k8s.yaml,monitoring/*}' });
  });
});
