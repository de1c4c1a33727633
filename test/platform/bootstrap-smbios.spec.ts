import { schemaAt } from '../../src/api/schema-lookup';
import { FLAKE_REF_FIELD, maxFlakeRefBytes, SMBIOS1_MAX_LENGTH, SMBIOS_IDENTITY, smbios1Length } from '../../src/nixos/smbios';
import { machineSchema } from '../../src/api/machine-schema';
import { proxmoxModule } from '../../src/platform/terraform-module';
import { synthesize } from '../../src/synth/synthesize';
import { checkDocuments, find, minimalMachine, objectsOf, tempProject } from '../_helpers';

const tfModule = proxmoxModule({ insecureSkipTlsVerify: false });
const vm = tfModule.resource.proxmox_virtual_environment_vm.machine as Record<string, any>;
const flakeRef = schemaAt(machineSchema, 'spec.nix.flakeRef')!;

describe('the default (SMBIOS) channel module', () => {
  test('carries the flake reference in the SMBIOS serial number, beside Fabric\'s marker, only when nix is set', () => {
    expect(vm.dynamic.smbios).toEqual({
      for_each: '${var.nix_flake_ref != null ? [1] : []}',
      content: { manufacturer: 'Fabric', product: 'fabric-nixos', version: '1', serial: '${var.nix_flake_ref}' },
    });
  });

  test('lets Proxmox\'s cloud-init fields create the admin: no snippet, no SSH to the node', () => {
    expect(vm.initialization.dynamic.user_account).toEqual({
      for_each: '${var.admin_user != null ? [1] : []}',
      content: { username: '${var.admin_user}', keys: '${var.ssh_authorized_keys}' },
    });
    expect(vm.initialization).not.toHaveProperty('user_data_file_id');
    expect(tfModule.resource).not.toHaveProperty('proxmox_virtual_environment_file');
    expect(tfModule.provider.proxmox).not.toHaveProperty('ssh');
    expect(tfModule.locals).not.toHaveProperty('user_data');
  });

  test('the provider config hands Terraform only the API token keys', () => {
    const objects = objectsOf(synthesize({ projectDir: tempProject({ 'a.yaml': minimalMachine('a') }), dryRun: true }).files);
    const keys = find(objects, 'ClusterProviderConfig', 'fabric-proxmox').spec.credentials.map((c: { secretRef: { key: string } }) => c.secretRef.key);
    expect(keys).toEqual(['api_url', 'token_id', 'token_secret']);
  });

  test('the synthesized Workspace module for a Machine with nix.flakeRef delivers it through SMBIOS', () => {
    const dir = tempProject({ 'dns01.yaml': minimalMachine('dns01', { nix: { flakeRef: 'github:kubelize/fabric#dns01' } }) });
    const objects = objectsOf(synthesize({ projectDir: dir, dryRun: true }).files);
    const composition = objects.find((o) => o.kind === 'Composition')!;
    const workspace = composition.spec.pipeline[0].input.resources[0];
    const module = JSON.parse(workspace.base.spec.forProvider.module);
    expect(module.resource.proxmox_virtual_environment_vm.machine.dynamic.smbios.content.serial).toBe('${var.nix_flake_ref}');
    expect(workspace.patches).toContainEqual(expect.objectContaining({ fromFieldPath: 'spec.nix.flakeRef', toFieldPath: 'spec.forProvider.varmap.nix_flake_ref' }));
  });
});

describe('the SMBIOS budget', () => {
  test('counts the smbios1 string as bpg sends it: uuid, base64=1, and base64 of every value', () => {
    // uuid=<36>,base64=1 is 50; ",serial=" is 8 and "abc" is 4 characters of base64.
    expect(smbios1Length({ serial: 'abc' })).toBe(50 + 8 + 4);
    expect(smbios1Length({ serial: 'abcd' })).toBe(50 + 8 + 8);
  });

  test('the longest flakeRef the schema accepts fits Proxmox\'s 512-character smbios1 limit', () => {
    expect(flakeRef.maxLength).toBe(256);
    expect(flakeRef.maxLength!).toBeLessThanOrEqual(maxFlakeRefBytes());
    expect(smbios1Length({ ...SMBIOS_IDENTITY, [FLAKE_REF_FIELD]: 'a'.repeat(flakeRef.maxLength!) })).toBeLessThanOrEqual(SMBIOS1_MAX_LENGTH);
    expect(smbios1Length({ ...SMBIOS_IDENTITY, [FLAKE_REF_FIELD]: 'a'.repeat(maxFlakeRefBytes() + 3) })).toBeGreaterThan(SMBIOS1_MAX_LENGTH);
  });

  test.each([
    ['a multi-byte character, which would break the byte budget', 'github:kubelize/fabric#dns\u00e9'],
    ['a space', 'github:kubelize/fabric #dns01'],
    ['two outputs', 'github:kubelize/fabric#a#b'],
    ['257 characters', `github:o/${'r'.repeat(240)}#dns01`.padEnd(257, 'x')],
  ])('refuses a flakeRef with %s', (_reason, value) => {
    const result = checkDocuments([minimalMachine('a', { nix: { flakeRef: value } })], 'claims/a.yaml');
    expect(result.problems.map((p) => p.path)).toContain('spec.nix.flakeRef');
  });

  test('accepts a 256-character printable ASCII flakeRef with URL punctuation', () => {
    const value = `git+https://example.org/o/r.git?ref=main&rev=${'0'.repeat(40)}&dir=a,b;c!~*'()$`.padEnd(250, 'x') + '#dns01';
    expect(value).toHaveLength(256);
    const result = checkDocuments([minimalMachine('a', { nix: { flakeRef: value } })], 'claims/a.yaml');
    expect(result.problems).toEqual([]);
  });
});
