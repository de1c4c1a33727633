/**
 * `npm run proxmox-sim`: the first lines a user (or script) reads, a site file, and a client that trusts the
 * printed CA reaching the printed URL with the printed token.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { REPO } from '../_helpers';

interface Started { readonly child: ChildProcess; readonly lines: string[] }

/** Starts bin/proxmox-sim.js and resolves once it has printed `count` lines. */
async function startCli(args: string[], count: number): Promise<Started> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'proxmox-sim.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const lines = await new Promise<string[]>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const all = stdout.split('\n');
      if (all.length > count) resolve(all.slice(0, count));
    });
    child.once('exit', (code) => reject(new Error(`proxmox-sim exited with ${code}: ${stderr}`)));
  });
  return { child, lines };
}

async function stopCli(started: Started): Promise<void> {
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

function get(url: string, ca: string, token: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca, headers: { Authorization: `PVEAPIToken=${token}` } }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

test('prints the API URL, the CA certificate and a token first; a client trusting that CA is served', async () => {
  const started = await startCli(['--listen', '127.0.0.1:0'], 3);
  try {
    const [url, ca, token] = started.lines;
    expect(url).toMatch(/^API URL: https:\/\/127\.0\.0\.1:\d+\/api2\/json$/);
    expect(ca).toMatch(/^CA certificate: \/.+\.pem$/);
    expect(token).toBe('API token: fabric@pve!crossplane=00000000-0000-4000-8000-000000000000');
    const value = (line: string) => line.slice(line.indexOf(': ') + 2);
    const reply = await get(`${value(url)}/cluster/resources?type=vm`, fs.readFileSync(value(ca), 'utf8'), value(token));
    expect(reply.status).toBe(200);
    // The default site holds the templates the example Machines clone.
    expect(reply.body.data.map((vm: any) => `${vm.vmid}@${vm.node}`).sort()).toEqual(['100@pve3', '9000@pve', '9100@pve2']);
  } finally {
    await stopCli(started);
  }
}, 120_000);

test('serves the site a YAML file describes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proxmox-sim-site-'));
  const site = path.join(dir, 'site.yaml');
  fs.writeFileSync(site, [
    'nodes: [{ name: alpha }]',
    'storages: [{ id: data, type: lvmthin }]',
    'templates: [{ vmid: 8000, node: alpha, storage: data }]',
    'users: [{ id: ci@pve, tokens: [{ id: run, secret: s3cret }] }]',
    'acl: [{ path: /, role: PVEAuditor, token: ci@pve!run }, { path: /, role: PVEAuditor, user: ci@pve }]',
  ].join('\n'));
  const started = await startCli(['--listen', '127.0.0.1:0', '--site', site], 3);
  try {
    expect(started.lines[2]).toBe('API token: ci@pve!run=s3cret');
    const value = (line: string) => line.slice(line.indexOf(': ') + 2);
    const reply = await get(`${value(started.lines[0])}/nodes/alpha/qemu/8000/config`, fs.readFileSync(value(started.lines[1]), 'utf8'), 's3cret'.replace(/^/, 'ci@pve!run='));
    expect(reply.body.data).toMatchObject({ template: 1, scsi0: 'data:base-8000-disk-0,size=4G' });
  } finally {
    await stopCli(started);
  }
}, 120_000);

test('a site file with a misspelt key is refused before anything listens', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proxmox-sim-site-'));
  const site = path.join(dir, 'site.yaml');
  fs.writeFileSync(site, 'nodes: [{ name: alpha }]\nstorages: []\ntemplate: []\n');
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'proxmox-sim.js'), '--site', site], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(stderr).toContain(`proxmox-sim: ${site}: unknown site key(s) template; known: pveVersion, nodes, storages, templates, vms, pools, groups, roles, users, acl`);
}, 120_000);
