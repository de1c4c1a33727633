/**
 * Requests checked against Proxmox VE 9.1's own API schema (pve-docs apidata.js), refused with the status,
 * message and per-parameter errors pve-common's PVE::JSONSchema and pve-http-server give.
 */
import { SCHEMA_SOURCE, startProxmoxSim, type ProxmoxSim } from '../../src/proxmox-sim';
import { TEST_SSH_KEY } from '../_helpers';
import { call } from './_client';

let sim: ProxmoxSim;
beforeAll(async () => { sim = await startProxmoxSim(); });
afterAll(async () => { await sim.stop(); });

const PARAMETER_VERIFICATION = 'Parameter verification failed.';

/** A refusal as a client sees it: status, reason phrase, the body's message and errors. */
async function refusal(method: string, path: string, params: Record<string, string | number>) {
  const reply = await call(sim, method, path, params);
  return { status: reply.status, reason: reply.reason, message: reply.body?.message, errors: reply.body?.errors };
}

test('the schema is pve-docs\' apidata.js of Proxmox VE 9.1, at a named commit', () => {
  expect(SCHEMA_SOURCE).toMatchObject({ path: 'api-viewer/apidata.js', commit: 'e5010dcea566a205770572cfbc5fe0af220d5077' });
  expect(SCHEMA_SOURCE.describes).toMatch(/^Proxmox VE 9\.1: pve-docs 9\.1\.3/);
});

test('an unknown parameter is refused with 400, "Parameter verification failed." and the parameter named', async () => {
  expect(await refusal('POST', '/nodes/pve/qemu/9000/clone', { newid: 200, colour: 'blue' })).toEqual({
    status: 400, reason: PARAMETER_VERIFICATION, message: `${PARAMETER_VERIFICATION}\n`,
    errors: { colour: 'property is not defined in schema and the schema does not allow additional properties' },
  });
});

test('every malformed parameter of a request is reported, each with JSONSchema\'s message', async () => {
  const { errors } = await refusal('POST', '/nodes/pve/qemu/9000/clone', { newid: 'abc', full: 'maybe', name: 'not a dns name' });
  expect(errors).toEqual({
    newid: "type check ('integer') failed - got 'abc'",
    full: "type check ('boolean') failed - got 'maybe'",
    name: 'invalid format - value does not look like a valid DNS name\n',
  });
});

test('a VMID must look like one (pve-vmid\'s format is checked before its range); a number, within its range', async () => {
  expect((await refusal('POST', '/nodes/pve/qemu/9000/clone', { newid: 99 })).errors).toEqual({ newid: 'invalid format - value does not look like a valid VM ID\n' });
  expect((await refusal('PUT', '/nodes/pve/qemu/9000/config', { cpulimit: 129, sockets: 0 })).errors).toEqual({ cpulimit: 'value must have a maximum value of 128', sockets: 'value must have a minimum value of 1' });
});

test('a URI parameter is checked too: a node name with a dot is no pve-node', async () => {
  const reply = await call(sim, 'GET', '/nodes/pve.lan/qemu/9000/config');
  // The node is resolved for proxying before the parameters are verified (pve-manager PVE/HTTPServer.pm:174).
  expect([reply.status, reply.body.message]).toEqual([500, "hostname lookup 'pve.lan' failed - failed to get address info for: pve.lan: Name or service not known\n"]);
});

test('a property string with an unknown key is refused with the format error of its key', async () => {
  expect((await refusal('PUT', '/nodes/pve/qemu/9000/config', { net0: 'virtio,bridge=vmbr0,colour=blue' })).errors).toEqual({
    net0: 'invalid format - invalid key in comma-separated list property: colour\n',
  });
});

test('a property string\'s values are checked with their own formats: a bridge ID, a VLAN tag range', async () => {
  const { errors } = await refusal('PUT', '/nodes/pve/qemu/9000/config', { net0: 'virtio,bridge=vmbr 0,tag=5000' });
  // One line per key of the format error (pve-common src/PVE/Exception.pm:112), in Perl's hash order.
  const lines = errors.net0.split('\n');
  expect(lines[0]).toBe('invalid format - format error');
  expect(lines.slice(1).filter(Boolean).sort()).toEqual([
    "net0.bridge: invalid format - invalid bridge ID 'vmbr 0'",
    'net0.tag: value must have a maximum value of 4094',
  ]);
});

test('ipconfig: a gateway needs an address (the format\'s `requires`)', async () => {
  expect((await refusal('PUT', '/nodes/pve/qemu/9000/config', { ipconfig0: 'gw=10.0.0.1' })).errors).toEqual({
    ipconfig0: "invalid format - format error\nipconfig0.ip: missing property required by 'ipconfig0.gw'\n",
  });
  expect((await refusal('PUT', '/nodes/pve/qemu/9000/config', { ipconfig0: 'ip=10.0.0.300/24' })).errors).toEqual({
    ipconfig0: 'invalid format - format error\nipconfig0.ip: invalid format - value does not look like a valid ipv4 network configuration\n\n',
  });
});

test('tags must be pve-tag words; smbios1 values must be base64', async () => {
  expect((await refusal('PUT', '/nodes/pve/qemu/9000/config', { tags: 'ok;not ok!' })).errors).toEqual({ tags: 'invalid format - invalid characters in tag\n' });
  expect((await refusal('PUT', '/nodes/pve/qemu/9000/config', { smbios1: 'base64=1,serial=not base64' })).errors).toEqual({
    smbios1: 'invalid format - format error\nsmbios1.serial: value does not match the regex pattern\n',
  });
});

test('a CPU type must be one qemu-server knows', async () => {
  expect((await refusal('PUT', '/nodes/pve/qemu/9000/config', { cpu: 'x86-64-v9' })).errors).toEqual({
    cpu: "invalid format - Built-in cputype 'x86-64-v9' is not defined (missing 'custom-' prefix?)\n",
  });
});

test('an indexed option exists only up to its count: net0..net31', async () => {
  expect((await refusal('PUT', '/nodes/pve/qemu/9000/config', { net32: 'virtio,bridge=vmbr0' })).errors).toEqual({
    net32: 'property is not defined in schema and the schema does not allow additional properties',
  });
});

test('sshkeys must be URL-encoded, and each key is checked by the real ssh-keygen', async () => {
  expect((await refusal('PUT', '/nodes/pve/qemu/9000/config', { sshkeys: TEST_SSH_KEY })).errors?.sshkeys).toMatch(/^invalid format - invalid urlencoded string: /);
  const broken = await call(sim, 'PUT', '/nodes/pve/qemu/9000/config', { sshkeys: encodeURIComponent('ssh-ed25519 AAAAnotakey user@host') });
  expect([broken.status, broken.reason, broken.body.message]).toEqual([500, 'SSH public key validation error', 'SSH public key validation error\n']);
  const good = await call(sim, 'PUT', '/nodes/pve/qemu/9000/config', { sshkeys: encodeURIComponent(TEST_SSH_KEY) });
  expect(good.status).toBe(200);
  expect(sim.vm(9000)!.config.sshkeys).toBe(encodeURIComponent(TEST_SSH_KEY));
});

test('a path Proxmox has no method for is answered 501 as pve-manager does', async () => {
  const reply = await call(sim, 'GET', '/nodes/pve/qemu/9000/colour');
  expect([reply.status, reply.body.message]).toEqual([501, "Method 'GET /nodes/pve/qemu/9000/colour' not implemented"]);
});

test('a method Proxmox has but the simulator does not model is answered 501 and listed as unmodelled', async () => {
  const before = sim.unmodelled().length;
  const reply = await call(sim, 'GET', '/nodes/pve/network');
  expect(reply.status).toBe(501);
  expect(sim.unmodelled().slice(before).map((request) => request.method_name)).toEqual(['GET /nodes/{node}/network']);
});

test('the schema refusals are listed, so a test can fail on any request it made that Proxmox would refuse', async () => {
  const before = sim.schemaRefusals().length;
  await call(sim, 'GET', '/cluster/nextid', { vmid: 'x' });
  expect(sim.schemaRefusals().slice(before).map(({ path, errors }) => ({ path, errors }))).toEqual([
    { path: '/cluster/nextid?vmid=x', errors: { vmid: "type check ('integer') failed - got 'x'" } },
  ]);
});
