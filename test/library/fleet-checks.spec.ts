import * as fs from 'fs';
import * as path from 'path';
import { synthesize } from '../../src/synth/synthesize';
import { formatProblem, ValidationError } from '../../src/validation/problem';
import { checkDocuments, minimalMachine, readTree, tempProject } from '../_helpers';

type Doc = Record<string, any>;

function machine(name: string, spec: Doc = {}, namespace = 'infra-machines'): Doc {
  const m = minimalMachine(name);
  m.metadata = { name, namespace };
  Object.assign(m.spec as Doc, spec);
  return m;
}

const staticIp = (ip: string) => ({ network: { ip, cidr: 24, gateway: '10.0.1.1' } });
const pinned = (vmId: number, templateId = 9000) => ({ proxmox: { node: 'pve', templateId, vmId } });

/** The formatted fleet problems of YAML claims `claims/<name>.yaml`, in file order. */
function fleetProblems(...machines: Doc[]): string[] {
  return checkDocuments(machines, (index) => `claims/${String.fromCharCode(97 + index)}.yaml`).problems.map(formatProblem);
}

describe('across the fleet', () => {
  test('the same namespace/name declared in a .ts and a .yaml claim is refused, and dist/ is not written', () => {
    const yaml = machine('dns01', { memory: { size: 4096 } });
    const project = tempProject({
      'dns01.ts': `export default ${JSON.stringify({ metadata: { name: 'dns01' }, spec: minimalMachine().spec })};\n`,
      'more/dns01.yaml': yaml,
    });
    try {
      expect(() => synthesize({ projectDir: project })).toThrow(ValidationError);
      let problems: string[] = [];
      try {
        synthesize({ projectDir: project });
      } catch (error) {
        problems = (error as ValidationError).problems.map(formatProblem);
      }
      expect(problems).toEqual([
        'claims/more/dns01.yaml:4:9: Machine infra-machines/dns01: metadata.name "dns01" is already declared in namespace infra-machines by claims/dns01.ts',
      ]);
      expect(readTree(path.join(project, 'dist'))).toEqual({});
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  test.each([
    ['explicit hostname against a name', [machine('web'), machine('web2', { hostname: 'web' })],
      'claims/b.yaml: Machine infra-machines/web2: spec.hostname "web" is already the hostname of Machine infra-machines/web (claims/a.yaml), where it defaults from metadata.name'],
    ['name against an explicit hostname', [machine('web2', { hostname: 'web' }), machine('web')],
      'claims/b.yaml: Machine infra-machines/web: spec.hostname "web" (defaulted from metadata.name) is already the hostname of Machine infra-machines/web2 (claims/a.yaml)'],
    ['two explicit hostnames', [machine('a', { hostname: 'db' }), machine('b', { hostname: 'db' })],
      'claims/b.yaml: Machine infra-machines/b: spec.hostname "db" is already the hostname of Machine infra-machines/a (claims/a.yaml)'],
    ['the same name in two namespaces, hostnames defaulted (one network, one DNS name)', [machine('dns01'), machine('dns01', {}, 'lab-machines')],
      'claims/b.yaml: Machine lab-machines/dns01: spec.hostname "dns01" (defaulted from metadata.name) is already the hostname of Machine infra-machines/dns01 (claims/a.yaml), where it defaults from metadata.name'],
    ['the same static ip', [machine('a', staticIp('10.0.1.10')), machine('b', staticIp('10.0.1.10'))],
      'claims/b.yaml: Machine infra-machines/b: spec.network.ip "10.0.1.10" is already the static ip of Machine infra-machines/a (claims/a.yaml)'],
    ['the same static ip in two namespaces', [machine('a', staticIp('10.0.1.10')), machine('b', staticIp('10.0.1.10'), 'lab-machines')],
      'claims/b.yaml: Machine lab-machines/b: spec.network.ip "10.0.1.10" is already the static ip of Machine infra-machines/a (claims/a.yaml)'],
    ['the same pinned vmId', [machine('a', pinned(120)), machine('b', pinned(120))],
      'claims/b.yaml: Machine infra-machines/b: spec.proxmox.vmId 120 is already pinned by Machine infra-machines/a (claims/a.yaml)'],
    ["a pinned vmId equal to another Machine's templateId", [machine('a', pinned(120, 9001)), machine('b', pinned(9001))],
      "claims/b.yaml: Machine infra-machines/b: spec.proxmox.vmId 9001 is the templateId that Machine infra-machines/a (claims/a.yaml) clones; a VM cannot take its template's VMID"],
    ['a pinned vmId equal to its own templateId', [machine('a', pinned(9000, 9000))],
      "claims/a.yaml: Machine infra-machines/a: spec.proxmox.vmId 9000 is the templateId that this Machine clones; a VM cannot take its template's VMID"],
  ] as Array<[string, Doc[], string]>)('refuses %s', (_reason, machines, expected) => {
    expect(fleetProblems(...machines)).toEqual([expected]);
  });

  test.each([
    ['the same name in two namespaces, with their own hostnames', [machine('dns01', { hostname: 'dns01-infra' }), machine('dns01', { hostname: 'dns01-lab' }, 'lab-machines')]],
    ['DHCP Machines (no static ip to clash)', [machine('a'), machine('b'), machine('c', { network: { dhcp: true } })]],
    ['Machines without a pinned vmId sharing a template', [machine('a'), machine('b'), machine('c')]],
    ['distinct static ips in one subnet sharing the gateway', [machine('a', staticIp('10.0.1.10')), machine('b', staticIp('10.0.1.11'))]],
    ['a pinned vmId next to a template id', [machine('a', pinned(9001, 9000)), machine('b', pinned(9002, 9000))]],
  ] as Array<[string, Doc[]]>)('accepts %s', (_reason, machines) => {
    expect(fleetProblems(...machines)).toEqual([]);
  });

  test('a name declared twice is reported once, not again as a hostname clash', () => {
    expect(fleetProblems(machine('dns01', staticIp('10.0.1.10')), machine('dns01', staticIp('10.0.1.10')))).toEqual([
      'claims/b.yaml: Machine infra-machines/dns01: metadata.name "dns01" is already declared in namespace infra-machines by claims/a.yaml',
    ]);
  });

  test('every clash of a run is reported, after the per-Machine problems', () => {
    expect(fleetProblems(
      machine('a', { ...staticIp('10.0.1.10'), ...pinned(120) }),
      machine('b', { ...staticIp('10.0.1.10'), ...pinned(120) }),
      machine('c', { memory: { size: 1 } }),
    )).toEqual([
      expect.stringMatching(/^claims\/b.yaml: Machine infra-machines\/b: spec.network.ip "10.0.1.10" is already/),
      expect.stringMatching(/^claims\/b.yaml: Machine infra-machines\/b: spec.proxmox.vmId 120 is already/),
      'claims/c.yaml: Machine infra-machines/c: spec.memory.size must be at least 512 (MiB), got 1; memory.size is in MiB: 1 GiB is 1024',
    ]);
  });
});
