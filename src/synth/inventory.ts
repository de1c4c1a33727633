/**
 * The inventory synth writes for review, in place of the spreadsheet kept beside a fleet: what each node and
 * storage is given against what it has, each IP pool's used and free addresses, the VMIDs, and every
 * Machine. Two views of the same figures: `dist/inventory/README.md`, which renders in a pull request, and
 * `dist/inventory/index.html`, one self-contained page (no network at view time) with capacity bars,
 * address maps and a sortable Machine table. Both are a function of the claims and the site settings only
 * (no date, no host), so an unchanged fleet writes them unchanged.
 */
import { machineId, ResolvedMachine } from '../api/machine-claim';
import { byCodeUnit } from '../util/compare';
import { HeldValue } from './allocation';
import { CapacityReport, ResourceUse } from './capacity';
import { ipv4Number, ipv4String, isIpv4, ResolvedIpPool, SiteSettings } from './site-settings';

export const INVENTORY_DIR = 'inventory';

/** One Machine as the inventory shows it. */
export interface InventoryMachine {
  readonly id: string;
  readonly node: string;
  readonly cores: number;
  readonly memoryMiB: number;
  /** Boot and data disks, GiB, with their storage. */
  readonly disks: ReadonlyArray<{ readonly size: number; readonly storage: string }>;
  readonly ip?: string;
  /** Without ip: DHCP, or whatever the template's image configures. */
  readonly addressing: 'static' | 'DHCP' | 'image';
  readonly pool?: string;
  readonly vmId?: number;
  /** Where the VMID comes from: pinned in the claim, allocated by synth, or Proxmox's next free at clone time. */
  readonly vmIdFrom: 'pinned' | 'allocated' | 'Proxmox';
  readonly source: string;
}

export interface InventoryNode {
  readonly node: string;
  readonly machines: number;
  readonly resources: ReadonlyArray<{ readonly label: string; readonly unit: string; readonly given: number; readonly capacity?: number; readonly limit?: number }>;
}

export interface InventoryPool {
  readonly name: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly ranges: readonly string[];
  readonly size: number;
  /** Address → who has it: a Machine id, or a removed Machine still holding it. */
  readonly used: ReadonlyArray<{ readonly address: string; readonly by: string; readonly held: boolean }>;
  /** The free addresses as ranges, `10.0.20.103-10.0.20.150`. */
  readonly free: readonly string[];
  readonly freeCount: number;
  /** Every address of the ranges in order, for the map: u(sed), h(eld), g(ateway), f(ree). Empty when too many to draw. */
  readonly map: string;
}

export interface Inventory {
  readonly machines: readonly InventoryMachine[];
  readonly nodes: readonly InventoryNode[];
  readonly pools: readonly InventoryPool[];
  readonly vmIds: { readonly range?: string; readonly used: number; readonly free?: number; readonly held: ReadonlyArray<{ readonly vmId: number; readonly by: string }> };
  readonly warnAt: number;
}

/** Pools larger than this are listed, not drawn address by address. */
const MAP_LIMIT = 4096;

export function buildInventory<M extends ResolvedMachine>(machines: readonly M[], site: SiteSettings, capacity: CapacityReport<M>, held: readonly HeldValue[]): Inventory {
  const rows = machines.map((m): InventoryMachine => {
    const spec = m.spec;
    const fallback = spec.proxmox?.storage ?? '';
    const disks = [
      ...(spec.disk?.size !== undefined ? [{ size: spec.disk.size, storage: spec.disk.storage ?? fallback }] : []),
      ...(spec.dataDisks ?? []).map((d) => ({ size: d.size, storage: d.storage ?? fallback })),
    ];
    const vmId = spec.proxmox?.vmId;
    return {
      id: machineId(m),
      node: spec.proxmox?.node ?? '',
      cores: (spec.cpu?.cores ?? 0) * (spec.cpu?.sockets ?? 1),
      memoryMiB: spec.memory?.size ?? 0,
      disks,
      ...(spec.network?.ip !== undefined ? { ip: spec.network.ip } : {}),
      addressing: spec.network?.ip !== undefined ? 'static' : spec.network === undefined || spec.network.dhcp === true ? 'DHCP' : 'image',
      ...(spec.network?.ipPool !== undefined ? { pool: spec.network.ipPool } : {}),
      ...(vmId !== undefined ? { vmId } : {}),
      vmIdFrom: vmId === undefined ? 'Proxmox' : spec.proxmox?.allocateVmId === true ? 'allocated' : 'pinned',
      source: m.source,
    };
  }).sort((a, b) => byCodeUnit(a.id, b.id));

  return { machines: rows, nodes: nodesOf(rows, capacity.uses), pools: poolsOf(rows, site, held), vmIds: vmIdsOf(rows, site, held), warnAt: site.warnAt };
}

function nodesOf<M extends ResolvedMachine>(rows: readonly InventoryMachine[], uses: ReadonlyArray<ResourceUse<M>>): InventoryNode[] {
  const count = new Map<string, number>();
  for (const row of rows) count.set(row.node, (count.get(row.node) ?? 0) + 1);
  if (uses.length > 0) {
    const byNode = new Map<string, InventoryNode['resources'][number][]>();
    for (const use of uses) {
      const list = byNode.get(use.node) ?? [];
      byNode.set(use.node, list);
      list.push({ label: use.resource === 'storage' ? `storage ${use.storage}` : use.resource, unit: use.unit, given: round(use.given), capacity: use.capacity, limit: round(use.capacity * use.overcommit) });
    }
    return [...byNode].map(([node, resources]) => ({ node, machines: count.get(node) ?? 0, resources }));
  }
  // No capacity described: what each node is given, from the Machines alone.
  const sums = new Map<string, { cores: number; memory: number; storages: Map<string, number> }>();
  for (const row of rows) {
    const sum = sums.get(row.node) ?? { cores: 0, memory: 0, storages: new Map<string, number>() };
    sums.set(row.node, sum);
    sum.cores += row.cores;
    sum.memory += row.memoryMiB / 1024;
    for (const disk of row.disks) sum.storages.set(disk.storage, (sum.storages.get(disk.storage) ?? 0) + disk.size);
  }
  return [...sums.keys()].sort(byCodeUnit).map((node) => {
    const sum = sums.get(node)!;
    return {
      node,
      machines: count.get(node) ?? 0,
      resources: [
        { label: 'cores', unit: 'cores', given: sum.cores },
        { label: 'memory', unit: 'GiB', given: round(sum.memory) },
        ...[...sum.storages.keys()].sort(byCodeUnit).map((storage) => ({ label: `storage ${storage}`, unit: 'GiB', given: sum.storages.get(storage)! })),
      ],
    };
  });
}

function poolsOf(rows: readonly InventoryMachine[], site: SiteSettings, held: readonly HeldValue[]): InventoryPool[] {
  const owners = new Map<number, { by: string; held: boolean }>();
  for (const row of rows) if (isIpv4(row.ip)) owners.set(ipv4Number(row.ip), { by: row.id, held: false });
  for (const h of held) if (isIpv4(h.ip) && !owners.has(ipv4Number(h.ip))) owners.set(ipv4Number(h.ip), { by: `${h.id} (removed, in ${h.tree} until committed)`, held: true });
  return Object.keys(site.ipPools).sort(byCodeUnit).map((name) => {
    const pool: ResolvedIpPool = site.ipPools[name];
    const gateway = ipv4Number(pool.gateway);
    const used: Array<{ address: string; by: string; held: boolean }> = [];
    const free: string[] = [];
    let freeCount = 0;
    let map = '';
    const drawn = pool.numericRanges.reduce((n, [a, b]) => n + b - a + 1, 0) <= MAP_LIMIT;
    for (const [first, last] of pool.numericRanges) {
      let freeFrom: number | undefined;
      const closeFree = (end: number) => {
        if (freeFrom !== undefined) free.push(freeFrom === end ? ipv4String(end) : `${ipv4String(freeFrom)}-${ipv4String(end)}`);
        freeFrom = undefined;
      };
      // Only the addresses in use are looked up one by one when the ranges are too large to draw.
      if (!drawn) {
        const inRange = [...owners.keys()].filter((n) => n >= first && n <= last && n !== gateway).sort((a, b) => a - b);
        let next = first;
        const gap = (to: number) => {
          if (to >= next) { freeCount += countFree(next, to, gateway); free.push(...freeRanges(next, to, gateway)); }
        };
        for (const n of inRange) {
          gap(n - 1);
          used.push({ address: ipv4String(n), ...owners.get(n)! });
          next = n + 1;
        }
        gap(last);
        continue;
      }
      for (let n = first; n <= last; n++) {
        const owner = owners.get(n);
        if (n === gateway) { closeFree(n - 1); map += 'g'; continue; }
        if (owner) { closeFree(n - 1); used.push({ address: ipv4String(n), ...owner }); map += owner.held ? 'h' : 'u'; continue; }
        freeFrom ??= n;
        freeCount++;
        map += 'f';
      }
      closeFree(last);
    }
    return { name, subnet: pool.subnet, gateway: pool.gateway, ranges: pool.ranges, size: pool.size, used, free, freeCount, map };
  });
}

function countFree(from: number, to: number, gateway: number): number {
  return to - from + 1 - (gateway >= from && gateway <= to ? 1 : 0);
}

function freeRanges(from: number, to: number, gateway: number): string[] {
  const span = (a: number, b: number) => (a > b ? [] : [a === b ? ipv4String(a) : `${ipv4String(a)}-${ipv4String(b)}`]);
  return gateway >= from && gateway <= to ? [...span(from, gateway - 1), ...span(gateway + 1, to)] : span(from, to);
}

function vmIdsOf(rows: readonly InventoryMachine[], site: SiteSettings, held: readonly HeldValue[]): Inventory['vmIds'] {
  const range = site.vmIds;
  const heldIds = held.filter((h) => h.vmId !== undefined).map((h) => ({ vmId: h.vmId!, by: `${h.id} (removed, in ${h.tree} until committed)` }));
  if (!range) return { used: rows.filter((r) => r.vmId !== undefined).length, held: heldIds };
  const inRange = (n: number | undefined) => n !== undefined && n >= range.from && n <= range.to;
  const used = new Set([...rows.map((r) => r.vmId).filter(inRange), ...heldIds.map((h) => h.vmId).filter(inRange)]).size;
  return { range: `${range.from}-${range.to}`, used, free: range.to - range.from + 1 - used, held: heldIds };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

const machinesCount = (n: number) => (n === 1 ? '1 Machine has' : `${n} Machines have`);
const percent = (given: number, limit: number | undefined) => (limit ? `${Math.round((given / limit) * 100)} %` : '');
const cell = (text: string | number) => String(text).replace(/\|/g, '\\|');
const diskText = (row: InventoryMachine) => row.disks.map((d) => `${d.size} GiB ${d.storage}`).join(' + ');

/** `dist/inventory/README.md`: the inventory as Markdown tables. */
export function inventoryMarkdown(inventory: Inventory): string {
  const lines = [
    '# Fleet inventory',
    '',
    'Written by `npm run synth` from `claims/` and `package.json` `fabric.site`; do not edit. The same figures, drawn: [index.html](index.html) (open it from a checkout).',
    '',
    `${inventory.machines.length} Machines on ${inventory.nodes.length} node${inventory.nodes.length === 1 ? '' : 's'}.`,
    '',
    '## Nodes',
    '',
  ];
  if (inventory.nodes.length === 0) lines.push('No Machines.', '');
  for (const node of inventory.nodes) {
    lines.push(`### ${node.node} (${node.machines} Machine${node.machines === 1 ? '' : 's'})`, '', '| resource | given | capacity | limit (× overcommit) | used |', '| --- | ---: | ---: | ---: | ---: |');
    for (const r of node.resources) {
      lines.push(`| ${cell(r.label)} | ${r.given} ${r.unit} | ${r.capacity === undefined ? '—' : `${r.capacity} ${r.unit}`} | ${r.limit === undefined ? '—' : `${r.limit} ${r.unit}`} | ${percent(r.given, r.limit) || '—'} |`);
    }
    lines.push('');
  }
  lines.push('## IP pools', '');
  if (inventory.pools.length === 0) lines.push('None set (`package.json` `fabric.site.ipPools`).', '');
  for (const pool of inventory.pools) {
    lines.push(
      `### ${pool.name}: ${pool.subnet}, gateway ${pool.gateway}`,
      '',
      `Ranges ${pool.ranges.join(', ')}: ${pool.size} addresses, ${pool.used.length} used, ${pool.freeCount} free.`,
      '',
      `Free: ${pool.free.length === 0 ? 'none' : pool.free.join(', ')}`,
      '',
    );
    if (pool.used.length > 0) {
      lines.push('| address | Machine |', '| --- | --- |', ...pool.used.map((u) => `| ${u.address} | ${cell(u.by)} |`), '');
    }
  }
  lines.push('## VMIDs', '');
  lines.push(inventory.vmIds.range
    ? `Range ${inventory.vmIds.range} (\`package.json\` \`fabric.site.vmIds\`): ${inventory.vmIds.used} used, ${inventory.vmIds.free} free.`
    : `${machinesCount(inventory.vmIds.used)} a VMID written; no range is set for Fabric to allocate from (\`package.json\` \`fabric.site.vmIds\`).`, '');
  for (const h of inventory.vmIds.held) lines.push(`- ${h.vmId}: held by ${h.by}`);
  if (inventory.vmIds.held.length > 0) lines.push('');
  lines.push('## Machines', '', '| Machine | node | cores | memory | disks | ip | pool | VMID | claim |', '| --- | --- | ---: | ---: | --- | --- | --- | --- | --- |');
  for (const row of inventory.machines) {
    const vmId = row.vmId === undefined ? 'next free (Proxmox)' : `${row.vmId}${row.vmIdFrom === 'allocated' ? ' (allocated)' : ''}`;
    lines.push(`| ${cell(row.id)} | ${cell(row.node)} | ${row.cores} | ${row.memoryMiB} MiB | ${cell(diskText(row))} | ${row.ip ?? (row.addressing === 'DHCP' ? 'DHCP' : "the image's")} | ${row.pool ?? ''} | ${vmId} | ${cell(row.source)} |`);
  }
  return `${lines.join('\n')}\n`;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * `dist/inventory/index.html`: one page, its style, script and data inline. The figures are in the page as
 * HTML (readable without its script); the script only makes the Machine table sortable, and marks the page
 * rendered (`data-rendered`) or shows the error it met, so a headless browser can tell.
 */
export function inventoryHtml(inventory: Inventory): string {
  const bar = (given: number, limit: number | undefined) => {
    const share = limit ? given / limit : 0;
    const state = !limit ? 'none' : share > 1 ? 'over' : share > inventory.warnAt ? 'near' : 'ok';
    return `<div class="bar ${state}"><div style="width:${Math.min(100, Math.round(share * 1000) / 10)}%"></div></div>`;
  };
  const nodes = inventory.nodes.map((node) => `<section class="node"><h3>${escapeHtml(node.node)} <small>${node.machines} Machine${node.machines === 1 ? '' : 's'}</small></h3>
<table class="resources">${node.resources.map((r) => `<tr><th>${escapeHtml(r.label)}</th><td class="figure">${r.given}${r.limit === undefined ? '' : ` of ${r.limit}`} ${r.unit}${r.limit === undefined ? '' : ` <span class="share">${percent(r.given, r.limit)}</span>`}</td><td class="chart">${bar(r.given, r.limit)}</td></tr>`).join('\n')}</table></section>`).join('\n');
  const owners = (pool: InventoryPool) => {
    const byAddress = new Map(pool.used.map((u) => [u.address, u.by]));
    const cells: string[] = [];
    let i = 0;
    for (const range of pool.ranges) {
      const [first, last = first] = range.split('-');
      for (let n = ipv4Number(first); n <= ipv4Number(last); n++, i++) {
        const address = ipv4String(n);
        const kind = pool.map[i];
        const title = kind === 'g' ? `${address}: gateway` : kind === 'f' ? `${address}: free` : `${address}: ${byAddress.get(address) ?? ''}`;
        cells.push(`<span class="cell ${kind}" title="${escapeHtml(title)}"></span>`);
      }
    }
    return cells.join('');
  };
  const pools = inventory.pools.map((pool) => `<section class="pool"><h3>${escapeHtml(pool.name)} <small>${escapeHtml(pool.subnet)}, gateway ${escapeHtml(pool.gateway)}</small></h3>
<p class="figure">${pool.used.length} used, ${pool.freeCount} free of ${pool.size} (${escapeHtml(pool.ranges.join(', '))})</p>
${pool.map ? `<div class="map">${owners(pool)}</div>` : '<p>Too many addresses to draw; the used ones are listed in README.md.</p>'}</section>`).join('\n');
  const vmIds = inventory.vmIds.range
    ? `<p class="figure">VMID range ${inventory.vmIds.range}: ${inventory.vmIds.used} used, ${inventory.vmIds.free} free</p>`
    : `<p class="figure">${machinesCount(inventory.vmIds.used)} a VMID written; no VMID range is set.</p>`;
  const rows = inventory.machines.map((row) => {
    const disk = row.disks.reduce((sum, d) => sum + d.size, 0);
    return `<tr><td>${escapeHtml(row.id)}</td><td>${escapeHtml(row.node)}</td><td data-sort="${row.cores}">${row.cores}</td><td data-sort="${row.memoryMiB}">${row.memoryMiB} MiB</td>` +
      `<td data-sort="${disk}" title="${escapeHtml(diskText(row))}">${disk} GiB</td><td data-sort="${row.ip ? ipv4Number(row.ip) : -1}">${escapeHtml(row.ip ?? (row.addressing === 'DHCP' ? 'DHCP' : "the image's"))}</td><td>${escapeHtml(row.pool ?? '')}</td>` +
      `<td data-sort="${row.vmId ?? -1}">${row.vmId ?? 'next free'}${row.vmIdFrom === 'allocated' ? ' <small>allocated</small>' : ''}</td><td>${escapeHtml(row.source)}</td></tr>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Fleet inventory</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 small, h3 small { color: #666; font-weight: normal; }
.nodes, .pools { display: flex; flex-wrap: wrap; gap: 1.5em; }
section.node, section.pool { border: 1px solid #ddd; border-radius: 6px; padding: 0 1em 1em; min-width: 22em; }
.resources th { text-align: left; padding-right: 1em; font-weight: normal; }
.resources td.figure { white-space: nowrap; padding-right: 1em; }
.share { color: #666; }
.bar { width: 14em; height: 0.9em; background: #eee; border-radius: 3px; overflow: hidden; }
.bar > div { height: 100%; }
.bar.ok > div { background: #3a7; } .bar.near > div { background: #e92; } .bar.over > div { background: #d33; } .bar.none > div { background: #999; }
.map { display: grid; grid-template-columns: repeat(32, 0.9em); gap: 2px; }
.cell { width: 0.9em; height: 0.9em; border-radius: 2px; }
.cell.u { background: #37a; } .cell.h { background: #e92; } .cell.g { background: #333; } .cell.f { background: #dde; }
.legend span { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; vertical-align: middle; margin: 0 0.3em 0 1em; }
table.machines { border-collapse: collapse; margin-top: 1em; }
table.machines th, table.machines td { border-bottom: 1px solid #eee; padding: 0.25em 0.8em; text-align: left; }
table.machines th { cursor: pointer; user-select: none; background: #f6f6f6; }
table.machines th[aria-sort="ascending"]::after { content: " ▲"; } table.machines th[aria-sort="descending"]::after { content: " ▼"; }
#errors { color: #d33; }
</style>
</head>
<body>
<h1>Fleet inventory <small>${inventory.machines.length} Machines on ${inventory.nodes.length} node${inventory.nodes.length === 1 ? '' : 's'}</small></h1>
<p>Written by <code>npm run synth</code> from claims/ and package.json <code>fabric.site</code>; do not edit.</p>
<pre id="errors"></pre>
<h2>Nodes</h2>
<div class="nodes">
${nodes || '<p>No Machines.</p>'}
</div>
<h2>IP pools</h2>
<p class="legend"><span class="cell u"></span>used<span class="cell h"></span>held by a removed Machine<span class="cell g"></span>gateway<span class="cell f"></span>free</p>
<div class="pools">
${pools || '<p>None set (package.json <code>fabric.site.ipPools</code>).</p>'}
</div>
<h2>VMIDs</h2>
${vmIds}
<h2>Machines</h2>
<table class="machines">
<thead><tr><th>Machine</th><th>node</th><th>cores</th><th>memory</th><th>disks</th><th>ip</th><th>pool</th><th>VMID</th><th>claim</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<script>
window.addEventListener('error', function (event) { document.getElementById('errors').textContent += event.message + '\\n'; document.body.dataset.rendered = 'error'; });
(function () {
  var table = document.querySelector('table.machines');
  var headers = table.querySelectorAll('th');
  headers.forEach(function (header, column) {
    header.addEventListener('click', function () {
      var ascending = header.getAttribute('aria-sort') !== 'ascending';
      headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
      header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var key = function (row) { var cell = row.cells[column]; var n = cell.dataset.sort; return n === undefined ? cell.textContent : Number(n); };
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) { var x = key(a), y = key(b); var order = x < y ? -1 : x > y ? 1 : 0; return ascending ? order : -order; });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  // #sort=cores (or #sort=-cores, descending) opens the table sorted: a link can show the largest Machines.
  var wanted = /^#sort=(-?)(.+)$/.exec(decodeURIComponent(location.hash));
  if (wanted) headers.forEach(function (header) {
    if (header.textContent !== wanted[2]) return;
    header.click();
    if (wanted[1] === '-') header.click();
  });
  if (document.body.dataset.rendered !== 'error') document.body.dataset.rendered = 'ok';
})();
</script>
</body>
</html>
`;
}
