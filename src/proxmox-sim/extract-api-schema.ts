/**
 * Writes api-schema.json, the part of Proxmox VE's own API schema the simulator serves, from pve-docs'
 * `api-viewer/apidata.js` (the `apiSchema` that pve-docs' scripts/extractapi.pl dumps from PVE::API2 with
 * PVE::RESTHandler::api_dump).
 *
 *   git -C <pve-docs checkout> show <commit>:api-viewer/apidata.js > apidata.js
 *   node lib/src/proxmox-sim/extract-api-schema.js apidata.js <commit> "<what the commit is>"
 *
 * Kept per modelled method: parameters (with their formats), permissions, allowtoken, protected and proxyto.
 * Descriptions and type texts are dropped (documentation only). Every other method and path of the API is
 * listed by name only, so the simulator can tell "Proxmox has this, the simulator does not model it" from
 * "Proxmox has no such method" (which pve-manager answers with 501, PVE/HTTPServer.pm rest_handler).
 */
import * as fs from 'fs';
import * as path from 'path';

/** The methods the simulator implements, `METHOD path` as the API viewer names them. */
export const MODELLED_METHODS: readonly string[] = [
  'GET /version',
  'GET /cluster/nextid',
  'GET /cluster/resources',
  'GET /cluster/status',
  'GET /cluster/ha/resources/{sid}',
  'GET /nodes',
  'GET /nodes/{node}/status',
  'GET /nodes/{node}/qemu',
  'DELETE /nodes/{node}/qemu/{vmid}',
  'GET /nodes/{node}/qemu/{vmid}/config',
  'POST /nodes/{node}/qemu/{vmid}/config',
  'PUT /nodes/{node}/qemu/{vmid}/config',
  'GET /nodes/{node}/qemu/{vmid}/pending',
  'GET /nodes/{node}/qemu/{vmid}/cloudinit',
  'PUT /nodes/{node}/qemu/{vmid}/cloudinit',
  'GET /nodes/{node}/qemu/{vmid}/status/current',
  'POST /nodes/{node}/qemu/{vmid}/status/start',
  'POST /nodes/{node}/qemu/{vmid}/status/stop',
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown',
  'POST /nodes/{node}/qemu/{vmid}/status/reboot',
  'POST /nodes/{node}/qemu/{vmid}/status/reset',
  'POST /nodes/{node}/qemu/{vmid}/clone',
  'PUT /nodes/{node}/qemu/{vmid}/resize',
  'POST /nodes/{node}/qemu/{vmid}/migrate',
  'POST /nodes/{node}/qemu/{vmid}/move_disk',
  'POST /nodes/{node}/qemu/{vmid}/template',
  'GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
  'POST /nodes/{node}/qemu/{vmid}/agent/ping',
  'GET /nodes/{node}/tasks/{upid}/status',
  'GET /nodes/{node}/tasks/{upid}/log',
  'GET /nodes/{node}/storage',
  'GET /nodes/{node}/storage/{storage}/status',
  'GET /nodes/{node}/storage/{storage}/content',
  'GET /nodes/{node}/storage/{storage}/content/{volume}',
  'GET /pools',
  'POST /pools',
  'PUT /pools',
  'GET /pools/{poolid}',
  'PUT /pools/{poolid}',
  'DELETE /pools',
  'DELETE /pools/{poolid}',
  'GET /access/permissions',
];

const DOCUMENTATION_KEYS = new Set(['description', 'verbose_description', 'typetext', 'format_description']);

/**
 * A parameter schema without its documentation. `properties` and inline `format`s map parameter or key
 * names to schemas: their keys are names (a parameter may be called `description`), never dropped.
 */
function withoutDocumentation(value: unknown, namesMap = false): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutDocumentation(item));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value)
    .filter(([key]) => namesMap || !DOCUMENTATION_KEYS.has(key))
    .map(([key, child]) => [key, withoutDocumentation(child, !namesMap && (key === 'properties' || (key === 'format' && typeof child === 'object')))]));
}

interface ApiNode { path: string; info?: Record<string, Record<string, unknown>>; children?: ApiNode[] }

export function extractSchema(apidata: string, source: Record<string, string>): Record<string, unknown> {
  // apidata.js is `const apiSchema = <JSON>;` (extractapi.pl prints to_json with pretty and canonical).
  const tree: ApiNode[] = JSON.parse(apidata.slice(apidata.indexOf('['), apidata.lastIndexOf(']') + 1));
  const all: string[] = [];
  const methods: Record<string, Record<string, unknown>> = {};
  const visit = (nodes: ApiNode[]) => {
    for (const node of nodes) {
      for (const [method, info] of Object.entries(node.info ?? {})) {
        const name = `${method} ${node.path}`;
        all.push(name);
        if (!MODELLED_METHODS.includes(name)) continue;
        methods[name] = {
          parameters: withoutDocumentation(info.parameters),
          permissions: info.permissions,
          ...Object.fromEntries(['allowtoken', 'protected', 'proxyto'].filter((key) => info[key] !== undefined).map((key) => [key, info[key]])),
        };
      }
      visit(node.children ?? []);
    }
  };
  visit(tree);
  const missing = MODELLED_METHODS.filter((name) => !(name in methods));
  if (missing.length > 0) throw new Error(`not in this apidata.js: ${missing.join(', ')}`);
  return { source, methods, otherMethods: all.filter((name) => !(name in methods)).sort() };
}

if (require.main === module) {
  const [file, commit, describes] = process.argv.slice(2);
  if (!file || !commit || !describes) {
    console.error('usage: extract-api-schema <apidata.js> <pve-docs commit> <what it describes>');
    process.exit(2);
  }
  const schema = extractSchema(fs.readFileSync(file, 'utf8'), {
    repository: 'https://github.com/proxmox/pve-docs (mirror of git://git.proxmox.com/git/pve-docs.git)',
    path: 'api-viewer/apidata.js',
    commit,
    describes,
    generator: 'src/proxmox-sim/extract-api-schema.ts',
  });
  const out = path.join(__dirname, 'api-schema.json').replace(`${path.sep}lib${path.sep}src${path.sep}`, `${path.sep}src${path.sep}`);
  fs.writeFileSync(out, `${JSON.stringify(schema, null, 1)}\n`);
  console.log(`${out}: ${Object.keys(schema.methods as object).length} methods modelled, ${(schema.otherMethods as string[]).length} others named`);
}
