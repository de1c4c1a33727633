import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { findClaimFiles, loadClaims } from '../../src/synth/claims';
import type { ResolvedMachine } from '../../src/api/machine-claim';
import { machineId } from '../../src/api/machine-claim';
import { FLAKE_REF_FILE, inputsOf, renderUserData, USER_DATA_TEMPLATE, userDataExpression, userDataObject } from '../../src/nixos/user-data';
import { hostFacts, userDataValues } from '../../src/nixos/host-facts';
import { BootstrapChannel } from '../../src/nixos/bootstrap-channel';
import { synthesize } from '../../src/synth/synthesize';
import { proxmoxModule, USER_DATA_BINDINGS, USER_DATA_RESOURCE } from '../../src/platform/terraform-module';
import { MODULE_VARIABLES } from '../../src/platform/terraform-variables';
import { checkDocuments, find, minimalMachine, objectsOf, REPO, tempProject, TEST_SSH_KEY } from '../_helpers';
import { cloudInitSchema, onPath, run, RunResult, testWith } from '../_checkers';
import { writeRootOfChildren } from '../_terraform-workdir';

const KEY = TEST_SSH_KEY;

/** Validated Machines (schema defaults applied), as synth sees them. */
function loaded(...documents: Record<string, unknown>[]): readonly ResolvedMachine[] {
  const result = checkDocuments(documents);
  expect(result.problems).toEqual([]);
  return result.machines;
}

const repoMachines = (): readonly ResolvedMachine[] => loaded(...loadClaims(REPO, findClaimFiles(REPO)).claims.map((claim) => claim.document));

/** Every shape of Machine the user-data must handle: the repository's claims and the edge cases. */
const samples: Array<[string, ResolvedMachine]> = [
  ...repoMachines().map((machine): [string, ResolvedMachine] => [`claim ${machineId(machine)}`, machine]),
  ...([
    ['no nix, no bootstrap', minimalMachine('bare')],
    ['nix only', minimalMachine('nix-only', { nix: { flakeRef: 'github:kubelize/fabric#nix-only' } })],
    ['bootstrap only, default admin', minimalMachine('keys-only', { bootstrap: { sshAuthorizedKeys: [KEY] } })],
    ['hostname override and domain', minimalMachine('renamed', { hostname: 'web01', network: { domain: 'home.arpa' } })],
    ['several keys, YAML-special comment', minimalMachine('many-keys', { bootstrap: { adminUser: 'ops', sshAuthorizedKeys: [KEY, `${KEY.split(' ').slice(0, 2).join(' ')} ops: #1 "laptop"`] } })],
    ['flake ref with YAML and template characters', minimalMachine('odd-ref', { nix: { flakeRef: 'git+https://example.org/r.git?ref=a${b}%{c}&d="e"#odd-ref' } })],
  ] as Array<[string, Record<string, unknown>]>).map(([reason, document]): [string, ResolvedMachine] => [reason, loaded(document)[0]]),
];

const snippetModule = proxmoxModule({ insecureSkipTlsVerify: false, bootstrap: BootstrapChannel.SNIPPET, snippetDatastore: 'snippets-nfs' });
const vm = snippetModule.resource.proxmox_virtual_environment_vm.machine as Record<string, any>;

describe('the snippet channel module', () => {
  test('uploads the user-data as a snippet on the Machine node and hands its id to the VM', () => {
    expect(snippetModule.resource.proxmox_virtual_environment_file.user_data).toEqual({
      content_type: 'snippets',
      datastore_id: 'snippets-nfs',
      node_name: '${var.proxmox_node}',
      overwrite: true,
      source_raw: { data: '${local.user_data}', file_name: 'fabric.${var.machine_namespace}.${var.machine_name}.yaml' },
    });
    // The id spelled out, known at plan time: `${file}.id` is unknown when new user-data replaces the file,
    // and bpg's ForceNew user_data_file_id would then replace the VM (terraform plan with bpg v0.111.1 said so).
    expect(vm.initialization.user_data_file_id).toBe('snippets-nfs:snippets/fabric.${var.machine_namespace}.${var.machine_name}.yaml');
    expect(vm.depends_on).toEqual([USER_DATA_RESOURCE]);
  });

  test('leaves out user_account, which bpg refuses beside user_data_file_id, and SMBIOS', () => {
    expect(vm.initialization.dynamic).not.toHaveProperty('user_account');
    expect(vm.dynamic).not.toHaveProperty('smbios');
    expect(Object.keys(vm.initialization.dynamic).sort()).toEqual(['dns', 'ip_config']);
  });

  test('builds the user-data with yamlencode from variables, never by splicing values', () => {
    expect(snippetModule.locals.user_data).toBe(`#cloud-config\n\${${userDataExpression(USER_DATA_BINDINGS)}}`);
    expect(userDataExpression(USER_DATA_BINDINGS)).toMatch(/^yamlencode\(\{ for key, value in \{ .* \} : key => value if value != null \}\)$/);
    for (const name of ['local.hostname', 'local.fqdn', 'var.admin_user', 'var.ssh_authorized_keys', 'var.nix_flake_ref']) {
      expect(userDataExpression(USER_DATA_BINDINGS)).toContain(name);
    }
  });

  test('reads the SSH user and a key or a password from the Secret, passing an absent one on as unset', () => {
    expect(snippetModule.provider.proxmox.ssh).toEqual({
      agent: false,
      username: '${trimspace(file("${path.module}/proxmox-ssh-username"))}',
      private_key: '${trimspace(file("${path.module}/proxmox-ssh-private-key")) != "" ? trimspace(file("${path.module}/proxmox-ssh-private-key")) : null}',
      password: '${trimspace(file("${path.module}/proxmox-ssh-password")) != "" ? trimspace(file("${path.module}/proxmox-ssh-password")) : null}',
    });
  });

  test('the snippet setting reaches the Workspace module and the provider config credentials', () => {
    const dir = tempProject({ 'dns01.yaml': minimalMachine('dns01', { nix: { flakeRef: 'github:kubelize/fabric#dns01' } }) }, { bootstrap: 'snippet' });
    const objects = objectsOf(synthesize({ projectDir: dir, dryRun: true }).files);
    const composition = objects.find((o) => o.kind === 'Composition')!;
    const module = JSON.parse(composition.spec.pipeline[0].input.resources[0].base.spec.forProvider.module);
    expect(module.resource.proxmox_virtual_environment_file.user_data.datastore_id).toBe('local');
    const providerConfig = find(objects, 'ClusterProviderConfig', 'fabric-proxmox');
    expect(providerConfig.spec.credentials.map((c: { secretRef: { key: string } }) => c.secretRef.key)).toEqual([
      'api_url', 'token_id', 'token_secret', 'ssh_username', 'ssh_private_key', 'ssh_password',
    ]);
  });

  test('a snippet datastore that is not a storage id is refused', () => {
    const dir = tempProject({ 'a.yaml': minimalMachine('a') }, { bootstrap: 'snippet', snippetDatastore: 'local/${x}' });
    expect(() => synthesize({ projectDir: dir, dryRun: true })).toThrow(/fabric.snippetDatastore must be a Proxmox storage id .*, got "local\/\$\{x\}"/);
  });
});

describe('the snippet user-data', () => {
  test('is NixOS-safe: writes nothing under /nix/store, /run/current-system or /etc/systemd/system, assumes no /bin/bash', () => {
    for (const [, machine] of samples) {
      const config = userDataObject(userDataValues(hostFacts(machine)));
      const written = ((config.write_files ?? []) as Array<{ path: string }>).map((file) => file.path);
      for (const file of written) expect(file).not.toMatch(/^\/(nix\/store|run\/current-system|etc\/systemd\/system)\//);
      expect(JSON.stringify(config)).not.toMatch(/"\/bin\/bash/);
      // runcmd/bootcmd would run shell on first boot; the template's unit does the work instead.
      expect(config).not.toHaveProperty('runcmd');
      expect(config).not.toHaveProperty('bootcmd');
    }
  });

  test('edits no file NixOS manages: no sudoers entry, no /etc/hosts, no sshd_config', () => {
    const config = userDataObject(userDataValues(hostFacts(loaded(minimalMachine('x', { bootstrap: { sshAuthorizedKeys: [KEY] } }))[0])));
    expect(config.manage_etc_hosts).toBe(false);
    expect(config).not.toHaveProperty('ssh_pwauth');
    expect((config.users as Array<Record<string, unknown>>)[0]).not.toHaveProperty('sudo');
  });

  test('sets hostname, fqdn, the admin with its keys, and drops the flake reference for the bootstrap unit', () => {
    const [machine] = loaded(minimalMachine('dns01', {
      network: { domain: 'home.arpa' },
      nix: { flakeRef: 'github:kubelize/fabric#dns01' },
      bootstrap: { sshAuthorizedKeys: [KEY] },
    }));
    expect(YAML.parse(renderUserData(userDataValues(hostFacts(machine))))).toEqual({
      hostname: 'dns01',
      fqdn: 'dns01.home.arpa',
      manage_etc_hosts: false,
      users: [{ name: 'admin', groups: ['wheel'], shell: '/run/current-system/sw/bin/bash', lock_passwd: true, ssh_authorized_keys: [KEY] }],
      write_files: [{ path: FLAKE_REF_FILE, content: 'github:kubelize/fabric#dns01', owner: 'root:root', permissions: '0600' }],
    });
  });

  test.each([
    ['no nix: no flake reference file', minimalMachine('a', { bootstrap: { sshAuthorizedKeys: [KEY] } }), 'write_files'],
    ['no bootstrap: no users, Proxmox creates nobody', minimalMachine('b', { nix: { flakeRef: 'github:o/r#b' } }), 'users'],
    ['no domain: no fqdn', minimalMachine('c'), 'fqdn'],
  ])('%s', (_reason, document, absentKey) => {
    const text = renderUserData(userDataValues(hostFacts(loaded(document)[0])));
    expect(YAML.parse(text)).not.toHaveProperty(absentKey);
    expect(text).not.toContain('null');
  });

  test('every top-level key that uses a Machine value names it, so a missing value drops the key', () => {
    expect(Object.fromEntries(Object.entries(USER_DATA_TEMPLATE).map(([key, template]) => [key, inputsOf(template)]))).toEqual({
      hostname: ['hostname'],
      fqdn: ['fqdn'],
      manage_etc_hosts: [],
      users: ['adminUser', 'sshAuthorizedKeys'],
      write_files: ['flakeRef'],
    });
  });

  describe('passes the real cloud-init schema validator', () => {
    const withCloudInit = testWith('cloud-init');
    /** Every sample's user-data and one with a schema error, through `cloud-init schema` at the first test. */
    let checked: Map<string, RunResult> | undefined;
    const schemaCheck = (name: string): RunResult => {
      if (!checked) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-cloud-init-'));
        const files = new Map<string, string>([['bad', '#cloud-config\nhostname: 5\n'], ...samples.map(([reason, machine]): [string, string] => [reason, renderUserData(userDataValues(hostFacts(machine)))])]);
        const paths = [...files].map(([, text], index) => {
          const file = path.join(dir, `user-data-${index}.yaml`);
          fs.writeFileSync(file, text);
          return file;
        });
        const results = cloudInitSchema(paths);
        checked = new Map([...files.keys()].map((key, index) => [key, results[index]]));
      }
      return checked.get(name)!;
    };
    withCloudInit('on a user-data with a schema error (the validator is live)', () => {
      const result = schemaCheck('bad');
      expect(result.status).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/hostname: 5 is not of type 'string'/);
    });
    for (const [reason] of samples) {
      withCloudInit(`for ${reason}`, () => {
        const result = schemaCheck(reason);
        expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({ status: 0, output: expect.stringContaining('Valid cloud-config') });
      });
    }
  });
});

/** The varmap the Composition's patches would build for a Machine: the table's `from` paths, by name. */
function varmap(machine: ResolvedMachine): Record<string, unknown> {
  const document = { metadata: { name: machine.name, namespace: machine.namespace }, spec: machine.spec };
  const values: Record<string, unknown> = {};
  for (const variable of MODULE_VARIABLES) {
    const value = variable.from.split('.').reduce<any>((node, key) => node?.[key], document);
    if (value !== undefined) values[variable.name] = value;
  }
  return values;
}

// Terraform is not a Debian package, so CI cannot install it: this cross-check runs where it is on PATH.
const withTerraform = onPath('terraform') ? test : test.skip;

describe('the module and the TypeScript rendering agree', () => {
  /**
   * What Terraform renders as user_data for every sample, from one `terraform apply` (a run per sample costs
   * more than the check): each sample calls the snippet module's user-data locals as a child module given its
   * varmap (_terraform-workdir.ts writeRootOfChildren), and user_data is a root output per sample. The module
   * needs no provider, so there is nothing for `terraform init` to install; `terraform get` records the
   * children, and apply's JSON log ends with the outputs and their values.
   */
  let applied: { status: number | null; stderr: string; diagnostics: unknown[]; outputs: Record<string, { value: string }> } | undefined;
  const terraformUserData = (index: number) => {
    if (!applied) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-terraform-'));
      const { hostname, fqdn, user_data } = snippetModule.locals;
      const module = { variable: snippetModule.variable, locals: { hostname, fqdn, user_data }, output: { user_data: { value: '${local.user_data}' } } };
      writeRootOfChildren(root, samples.map(([, machine], n) => {
        fs.mkdirSync(path.join(root, `s${n}`));
        fs.writeFileSync(path.join(root, `s${n}`, 'main.tf.json'), JSON.stringify(module));
        return { name: `s${n}`, module, values: varmap(machine), outputs: ['user_data'] };
      }));
      const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
      const get = run('terraform', ['get', '-no-color'], { cwd: root, env });
      expect({ status: get.status, stderr: get.stderr }).toEqual({ status: 0, stderr: '' });
      const apply = run('terraform', ['apply', '-auto-approve', '-input=false', '-json', '-var-file=varmap.tfvars.json'], { cwd: root, env });
      const messages = apply.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
      applied = {
        status: apply.status,
        stderr: apply.stderr,
        diagnostics: messages.filter((message) => message.type === 'diagnostic'),
        outputs: messages.filter((message) => message.type === 'outputs').pop()?.outputs ?? {},
      };
    }
    expect({ status: applied.status, stderr: applied.stderr, diagnostics: applied.diagnostics }).toEqual({ status: 0, stderr: '', diagnostics: [] });
    return applied.outputs[`s${index}_user_data`].value;
  };

  withTerraform.each(samples.map(([reason, machine], index) => [reason, machine, index] as const))(
    'Terraform renders the same cloud-config for %s (needs terraform on PATH)', (_reason, machine, index) => {
      const output = terraformUserData(index);
      expect(output.startsWith('#cloud-config\n')).toBe(true);
      expect(YAML.parse(output)).toEqual(YAML.parse(renderUserData(userDataValues(hostFacts(machine)))));
    });
});
