/**
 * The inventory synth writes for review: dist/inventory/README.md (read in a pull request) and
 * dist/inventory/index.html, opened here in a real headless browser (Debian's Chromium) with every network
 * name unresolvable, which must render it without an error and show the fleet's figures.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { synthesize } from '../src/synth/synthesize';
import { minimalMachine, replaceClaims, REQUIRE_TOOLS, tempProject } from './_helpers';

const SITE = {
  nodes: {
    pve1: { cores: 8, memoryGiB: 32, storages: { 'local-zfs': 200, tank: 1000 } },
    pve2: { cores: 4, memoryGiB: 16, storages: { 'local-zfs': 100 } },
  },
  overcommit: { cpu: 2 },
  ipPools: { lan: { subnet: '10.0.20.0/24', gateway: '10.0.20.1', ranges: ['10.0.20.1-10.0.20.6'], domain: 'home.arpa' } },
  vmIds: { from: 1000, to: 1099 },
};

const vm = (name: string, node: string, cores: number, memory: number, extra: Record<string, any> = {}) => minimalMachine(name, {
  cpu: { cores },
  memory: { size: memory },
  ...extra,
  proxmox: { node, storage: 'local-zfs', bridge: 'vmbr0', templateId: 9000, ...extra.proxmox },
});

const FLEET = [
  vm('db', 'pve1', 8, 16384, { network: { ipPool: 'lan' }, proxmox: { allocateVmId: true }, dataDisks: [{ size: 500, storage: 'tank' }] }),
  vm('web', 'pve1', 4, 4096, { network: { ipPool: 'lan' }, proxmox: { allocateVmId: true } }),
  vm('dns', 'pve2', 2, 2048, { network: { ip: '10.0.20.5', gateway: '10.0.20.1' }, proxmox: { vmId: 120 } }),
  vm('build', 'pve2', 2, 8192),
];

let project: string;
let inventory: string;
beforeAll(() => {
  project = tempProject({}, { site: SITE });
  replaceClaims(project, FLEET);
  synthesize({ projectDir: project });
  inventory = path.join(project, 'dist', 'inventory');
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

test('README.md lists each node\'s allocation, each pool\'s used and free addresses, the VMIDs and every Machine', () => {
  const markdown = fs.readFileSync(path.join(inventory, 'README.md'), 'utf8');
  expect(markdown).toContain('4 Machines on 2 nodes.');
  expect(markdown).toContain([
    '### pve1 (2 Machines)',
    '',
    '| resource | given | capacity | limit (× overcommit) | used |',
    '| --- | ---: | ---: | ---: | ---: |',
    '| cores | 12 cores | 8 cores | 16 cores | 75 % |',
    '| memory | 20 GiB | 32 GiB | 32 GiB | 63 % |',
    '| storage local-zfs | 64 GiB | 200 GiB | 200 GiB | 32 % |',
    '| storage tank | 500 GiB | 1000 GiB | 1000 GiB | 50 % |',
  ].join('\n'));
  expect(markdown).toContain([
    '### lan: 10.0.20.0/24, gateway 10.0.20.1',
    '',
    'Ranges 10.0.20.1-10.0.20.6: 5 addresses, 3 used, 2 free.',
    '',
    'Free: 10.0.20.4, 10.0.20.6',
    '',
    '| address | Machine |',
    '| --- | --- |',
    '| 10.0.20.2 | infra-machines/db |',
    '| 10.0.20.3 | infra-machines/web |',
    '| 10.0.20.5 | infra-machines/dns |',
  ].join('\n'));
  expect(markdown).toContain('Range 1000-1099 (`package.json` `fabric.site.vmIds`): 2 used, 98 free.');
  expect(markdown).toContain('| infra-machines/db | pve1 | 8 | 16384 MiB | 32 GiB local-zfs + 500 GiB tank | 10.0.20.2 | lan | 1000 (allocated) | claims/db.yaml |');
  expect(markdown).toContain('| infra-machines/build | pve2 | 2 | 8192 MiB | 32 GiB local-zfs | DHCP |  | next free (Proxmox) | claims/build.yaml |');
});

test('the inventory is written again unchanged when nothing changed', () => {
  const before = fs.readFileSync(path.join(inventory, 'index.html'), 'utf8');
  expect(synthesize({ projectDir: project }).changed).toBe(false);
  expect(fs.readFileSync(path.join(inventory, 'index.html'), 'utf8')).toBe(before);
});

/** Debian's Chromium, if installed (`apt-get install chromium`). */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((file) => fs.existsSync(file));
const withBrowser = CHROMIUM || REQUIRE_TOOLS ? describe : describe.skip;

withBrowser(`index.html in headless Chromium${CHROMIUM ? '' : ' (skipped: install it with apt-get install chromium)'}`, () => {
  // No name resolves: anything the page fetched from a network would fail.
  const offline = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--host-resolver-rules=MAP * ~NOTFOUND'];
  const browse = (args: string[], url: string) => {
    const run = spawnSync(CHROMIUM!, [...offline, ...args, url], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    return run.stdout;
  };
  const page = (hash = '') => `file://${path.join(inventory, 'index.html')}${hash}`;

  test('renders without an error and shows the fleet\'s figures', () => {
    const dom = browse(['--dump-dom'], page());
    expect(dom).toMatch(/<body data-rendered="ok">/);
    expect(dom).toContain('<pre id="errors"></pre>');
    expect(dom).toContain('4 Machines on 2 nodes');
    expect(dom).toContain('<td class="figure">12 of 16 cores <span class="share">75 %</span></td>');
    expect(dom).toContain('<p class="figure">3 used, 2 free of 5 (10.0.20.1-10.0.20.6)</p>');
    // The address map: the gateway, two allocated, one free, the literal one, one free.
    const cells = [...dom.matchAll(/<span class="cell (\w)" title="([^"]*)">/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(cells).toEqual([
      'g 10.0.20.1: gateway',
      'u 10.0.20.2: infra-machines/db',
      'u 10.0.20.3: infra-machines/web',
      'f 10.0.20.4: free',
      'u 10.0.20.5: infra-machines/dns',
      'f 10.0.20.6: free',
    ]);
    expect(dom).toContain('VMID range 1000-1099: 2 used, 98 free');
  }, 90_000);

  test('sorts the Machine table by a column, as #sort=-memory asks', () => {
    const dom = browse(['--dump-dom'], page('#sort=-memory'));
    const order = [...dom.matchAll(/<tr><td>(infra-machines\/[a-z]+)<\/td>/g)].map((m) => m[1]);
    expect(order).toEqual(['infra-machines/db', 'infra-machines/build', 'infra-machines/web', 'infra-machines/dns']);
    expect(dom).toContain('<th aria-sort="descending">memory</th>');
  }, 90_000);

  test('takes a screenshot to look at', () => {
    const shot = path.join(project, 'inventory.png');
    browse([`--screenshot=${shot}`, '--window-size=1280,1400', '--hide-scrollbars'], page());
    const png = fs.readFileSync(shot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // Where the screenshot is kept for a person to look at, when asked.
    if (process.env.FABRIC_SCREENSHOT_DIR) fs.copyFileSync(shot, path.join(process.env.FABRIC_SCREENSHOT_DIR, 'inventory.png'));
  }, 90_000);
});
