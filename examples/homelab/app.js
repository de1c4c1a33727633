// A cdk8s app of its own that uses Fabric as a library: the platform, Machines in two namespaces, and an
// ordinary cdk8s-plus Deployment beside them. `node app.js` writes the manifests to dist/ (cdk8s's App
// default); a Machine that breaks a rule makes app.synth() throw naming the field, and nothing is written.
// FABRIC_TOPOLOGY=legacy writes the Crossplane v1-style claim variant instead of namespaced Machines.
const { App, Chart } = require('cdk8s');
const kplus = require('cdk8s-plus-28');
const { Machine, Platform, Topology } = require('@kubelize/fabric');

const app = new App({ outdir: process.env.CDK8S_OUTDIR ?? 'dist' });

const platform = new Platform(new Chart(app, 'platform'), 'Platform', { topology: process.env.FABRIC_TOPOLOGY ?? Topology.NAMESPACED });

// A Machine takes its chart's namespace unless its metadata names one; each namespace is written once.
const machines = new Chart(app, 'machines', { namespace: 'lab' });
const base = { cpu: { cores: 2 }, memory: { size: 2048 }, disk: { size: 32 }, proxmox: { node: 'pve' } };
new Machine(machines, 'dns01', { platform, metadata: { namespace: 'network' }, spec: { ...base, network: { ip: '10.0.1.10', cidr: 24, gateway: '10.0.1.1' } } });
new Machine(machines, 'web01', { platform, spec: { ...base, memory: { size: Number(process.env.WEB01_MEMORY ?? 4096) } } });
new Machine(machines, 'web02', { platform, spec: base });

const apps = new Chart(app, 'apps');
new kplus.Deployment(apps, 'whoami', { containers: [{ image: 'traefik/whoami:v1.10', portNumber: 80 }] });

app.synth();
