import { hostFacts, HOSTS_DIR } from '../../src/nixos/host-facts';
import { CLUSTER_DIR } from '../../src/synth/render';
import { synthesize } from '../../src/synth/synthesize';
import { checkDocuments, minimalMachine, tempProject, TEST_SSH_KEY } from '../_helpers';

const KEY = TEST_SSH_KEY;

function facts(spec: Record<string, unknown>, name = 'dns01') {
  const { machines, problems } = checkDocuments([minimalMachine(name, spec)], 'claims/a.yaml');
  expect(problems).toEqual([]);
  return hostFacts(machines[0]);
}

describe('host facts', () => {
  test('hold what a NixOS configuration needs, for a fully specified Machine', () => {
    expect(facts({
      hostname: 'ns1',
      network: { ip: '10.0.1.10', cidr: 24, gateway: '10.0.1.1', dns: ['10.0.1.1'], domain: 'home.arpa' },
      nix: { flakeRef: 'git+https://github.com/kubelize/fabric?ref=main#dns01' },
      bootstrap: { adminUser: 'ops', sshAuthorizedKeys: [KEY] },
    })).toEqual({
      machine: { namespace: 'infra-machines', name: 'dns01' },
      hostname: 'ns1',
      domain: 'home.arpa',
      fqdn: 'ns1.home.arpa',
      ipv4: { method: 'static', address: '10.0.1.10', prefixLength: 24, gateway: '10.0.1.1' },
      nameservers: ['10.0.1.1'],
      adminUser: { name: 'ops', sshAuthorizedKeys: [KEY] },
      flake: { ref: 'git+https://github.com/kubelize/fabric?ref=main#dns01', uri: 'git+https://github.com/kubelize/fabric?ref=main', output: 'dns01' },
      monitoring: null,
    });
  });

  test('for the smallest Machine: named after it, DHCP, no domain, no user, no flake', () => {
    expect(facts({}, 'test-vm')).toEqual({
      machine: { namespace: 'infra-machines', name: 'test-vm' },
      hostname: 'test-vm',
      domain: null,
      fqdn: null,
      ipv4: { method: 'dhcp' },
      nameservers: [],
      adminUser: null,
      flake: null,
      monitoring: null,
    });
  });

  test('with monitoring on: the node exporter port and the CIDRs it is opened to, by family; none for a Machine tagged monitoring: disabled', () => {
    const { machines } = checkDocuments([minimalMachine('watched'), minimalMachine('quiet', { tags: { monitoring: 'disabled' } })], 'claims/a.yaml');
    const nodeExporter = { port: 9101, allowFrom: ['10.0.1.0/24', 'fd00:1::/64'] };
    expect(machines.map((machine) => hostFacts(machine, nodeExporter).monitoring)).toEqual([
      { nodeExporter: { port: 9101, allowFromIpv4: ['10.0.1.0/24'], allowFromIpv6: ['fd00:1::/64'] } },
      null,
    ]);
  });

  test.each([
    ['network absent: DHCP, as Proxmox is told', undefined, { method: 'dhcp' }],
    ['dhcp: true', { dhcp: true }, { method: 'dhcp' }],
    ['dhcp: false without ip: the template decides, as in the module', { dhcp: false }, { method: 'template' }],
    ['static with the default cidr', { ip: '10.0.1.10', gateway: '10.0.1.1' }, { method: 'static', address: '10.0.1.10', prefixLength: 24, gateway: '10.0.1.1' }],
  ])('addressing: %s', (_reason, network, ipv4) => {
    expect(facts(network === undefined ? {} : { network }).ipv4).toEqual(ipv4);
  });

  test('take the schema defaults: the admin is admin, a network without dns gets the default servers', () => {
    const result = facts({ network: { domain: 'home.arpa' }, bootstrap: { sshAuthorizedKeys: [KEY] } });
    expect(result.adminUser?.name).toBe('admin');
    expect(result.nameservers).toEqual(['1.1.1.1', '8.8.8.8']);
  });
});

describe('synth writes host facts', () => {
  const dir = tempProject({
    'dns01.yaml': minimalMachine('dns01', { nix: { flakeRef: 'github:kubelize/fabric#dns01' } }),
    'web.yaml': { ...minimalMachine('web01'), metadata: { name: 'web01', namespace: 'apps' } },
  });
  const { files } = synthesize({ projectDir: dir, dryRun: true });

  test('one JSON file per Machine at hosts/<namespace>/<name>.json', () => {
    expect([...files.keys()].filter((file) => file.startsWith(`${HOSTS_DIR}/`)).sort()).toEqual([
      'hosts/apps/web01.json',
      'hosts/infra-machines/dns01.json',
      // Not a Machine: the list of Machines the repository's root flake builds (repository-flake.spec.ts).
      'hosts/nixos-configurations.json',
    ]);
    expect(JSON.parse(files.get('hosts/infra-machines/dns01.json')!).flake).toEqual({
      ref: 'github:kubelize/fabric#dns01',
      uri: 'github:kubelize/fabric',
      output: 'dns01',
    });
  });

  test('outside the folder ArgoCD applies, which would try to apply any .json file', () => {
    expect([...files.keys()].filter((file) => file.startsWith(`${CLUSTER_DIR}/`) && !file.endsWith('.yaml'))).toEqual([]);
    expect(HOSTS_DIR).not.toBe(CLUSTER_DIR);
  });

  test('as stable, readable text: two-space JSON ending in a newline', () => {
    const text = files.get('hosts/apps/web01.json')!;
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });
});
