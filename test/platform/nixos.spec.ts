/**
 * The NixOS side (src/nixos): every Nix file parses with the real `nix-instantiate`, and the modules'
 * own logic evaluates. There is no nixpkgs here (Debian's nix-bin ships none), so evaluation uses a
 * small stand-in for the few `lib` functions the modules call; option names are nixpkgs', checked by
 * review against nixpkgs' proxmox-image.nix and cloud-init.nix (docs/create-template.md).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import contract from '../../src/nixos/bootstrap-contract.json';
import { hostFactsFiles } from '../../src/nixos/host-facts';
import { checkDocuments, minimalMachine, REPO, TEST_SSH_KEY } from '../_helpers';
import { run, testWith } from '../_checkers';

const NIXOS = path.join(REPO, 'src/nixos');
const NIX_FILES = fs.readdirSync(NIXOS).filter((name) => name.endsWith('.nix')).sort();
const withNix = testWith('nix-instantiate');
const env = { ...process.env, NIX_CONFIG: 'build-users-group =' };

/** Evaluates a Nix expression in src/nixos, strictly, to JSON. */
function evaluate(expression: string): unknown {
  const result = run('nix-instantiate', ['--eval', '--strict', '--json', '-E', expression], { cwd: NIXOS, env });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

/** Just enough of nixpkgs' lib for the modules' own logic; overrides and conditions stay visible. */
const STUB_LIB = `rec {
  mkOverride = priority: value: { _override = priority; inherit value; };
  mkIf = condition: value: if condition then value else { };
  mkDefault = value: value;
  optionalAttrs = condition: attrs: if condition then attrs else { };
  mkOption = option: option;
  mkEnableOption = description: { default = false; inherit description; };
  types = { bool = "bool"; str = "str"; };
  recursiveUpdate = left: right: left // builtins.mapAttrs
    (name: value: if builtins.isAttrs value && builtins.isAttrs (left.\${name} or null) then recursiveUpdate left.\${name} value else value)
    right;
}`;

/** Facts JSON files as synth writes them, in a temp dir; returns the dir. */
function factsDir(...documents: Record<string, unknown>[]): string {
  const { machines, problems } = checkDocuments(documents, 'claims/t.yaml');
  expect(problems).toEqual([]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-facts-'));
  for (const [file, text] of hostFactsFiles(machines)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const KEY = TEST_SSH_KEY;

describe('the Nix files', () => {
  test('are the template, the bootstrap module, the host facts helper and the flake', () => {
    expect(NIX_FILES).toEqual(['bootstrap.nix', 'flake.nix', 'host-facts.nix', 'template.nix']);
  });

  for (const file of NIX_FILES) {
    withNix(`${file} passes nix-instantiate --parse`, () => {
      const result = run('nix-instantiate', ['--parse', path.join(NIXOS, file)], { env });
      expect({ status: result.status, stderr: result.stderr.replace(/^warning: .*\n/gm, '') }).toEqual({ status: 0, stderr: '' });
    });
  }

  withNix('a file with a syntax error fails nix-instantiate --parse (the checker is live)', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-nix-')), 'broken.nix');
    fs.writeFileSync(file, '{ a = 1 ');
    const result = run('nix-instantiate', ['--parse', file], { env });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/syntax error/);
  });
});

describe('the flake', () => {
  withNix('exports the template image, the modules and the host facts helper', () => {
    expect(evaluate(`
      let flake = import ./flake.nix; outputs = flake.outputs { self = outputs; nixpkgs = { }; };
      in {
        inputs = flake.inputs.nixpkgs.url;
        outputs = builtins.attrNames outputs;
        modules = builtins.attrNames outputs.nixosModules;
        packages = builtins.attrNames outputs.packages.x86_64-linux;
      }`)).toEqual({
      inputs: expect.stringMatching(/^github:NixOS\/nixpkgs\/nixos-\d\d\.\d\d$/),
      outputs: ['lib', 'nixosConfigurations', 'nixosModules', 'packages'],
      modules: ['bootstrap', 'default', 'template'],
      packages: ['default', 'proxmox-template'],
    });
  });
});

describe('the bootstrap module', () => {
  const units = (reapply: boolean) => evaluate(`
    let
      lib = ${STUB_LIB};
      config = {
        fabric.bootstrap = { enable = true; retry = { delay = "30s"; maxDelay = "30min"; }; reapply = { enable = ${reapply}; interval = "1h"; }; };
        system.build.nixos-rebuild = "/nix/store/nixos-rebuild"; nix.package = "/nix/store/nix"; programs.ssh.package = "/nix/store/openssh";
      };
      pkgs = { writeShellApplication = app: "/nix/store/\${app.name}"; coreutils = ""; util-linux = ""; gitMinimal = ""; };
      module = import ./bootstrap.nix { inherit config lib pkgs; };
      # The stand-in mkIf leaves {} where nixpkgs' drops the definition: drop those here.
      defined = set: builtins.removeAttrs set (builtins.filter (name: set.\${name} == { }) (builtins.attrNames set));
    in {
      services = defined module.config.systemd.services;
      timers = defined module.config.systemd.timers;
      options = builtins.attrNames module.options.fabric.bootstrap;
    }`) as Record<string, any>;

  withNix('runs the script once per boot from a timer, after the network is online, retrying with backoff forever', () => {
    const { services, timers, options } = units(false);
    expect(options).toEqual(['enable', 'reapply', 'retry']);
    expect(Object.keys(services)).toEqual(['fabric-bootstrap']);
    expect(services['fabric-bootstrap']).toMatchObject({
      wants: ['network-online.target'],
      after: ['network-online.target', 'cloud-init.service'],
      restartIfChanged: false,
      unitConfig: { 'X-StopOnRemoval': false },
      startLimitIntervalSec: 0,
      serviceConfig: {
        Type: 'oneshot',
        ExecStart: '/nix/store/fabric-bootstrap/bin/fabric-bootstrap apply',
        Restart: 'on-failure',
        RestartSec: '30s',
        RestartMaxDelaySec: '30min',
        RestartPreventExitStatus: 3,
        StateDirectory: contract.stateDirectory,
      },
    });
    expect(timers).toEqual({ 'fabric-bootstrap': { wantedBy: ['timers.target'], timerConfig: { OnBootSec: '5s' } } });
  });

  withNix('hands the script the contract the Terraform module writes: SMBIOS marker, user-data file, state', () => {
    expect(units(false).services['fabric-bootstrap'].environment).toEqual({
      FABRIC_FLAKE_REF_FILE: contract.flakeRefFile,
      FABRIC_STATE_DIR: `/var/lib/${contract.stateDirectory}`,
      FABRIC_SMBIOS_MANUFACTURER: contract.smbios.manufacturer,
      FABRIC_SMBIOS_PRODUCT: contract.smbios.product,
      FABRIC_SMBIOS_VERSION: contract.smbios.version,
      HOME: '/root',
    });
  });

  test('sets every variable the script reads', () => {
    const script = fs.readFileSync(path.join(NIXOS, 'fabric-bootstrap.sh'), 'utf8');
    const module = fs.readFileSync(path.join(NIXOS, 'bootstrap.nix'), 'utf8');
    const read = new Set([...script.matchAll(/\$\{(FABRIC_[A-Z_]+)/g)].map((match) => match[1]));
    read.delete('FABRIC_DMI_DIR'); // the real /sys/class/dmi/id; only tests point it elsewhere
    for (const name of read) expect({ name, set: module.includes(`${name} =`) }).toEqual({ name, set: true });
  });

  withNix('adds the re-apply timer only when asked', () => {
    const { services, timers } = units(true);
    expect(services['fabric-reapply'].serviceConfig.ExecStart).toBe('/nix/store/fabric-bootstrap/bin/fabric-bootstrap reapply');
    expect(services['fabric-reapply'].serviceConfig).not.toHaveProperty('Restart');
    expect(timers['fabric-reapply'].timerConfig).toEqual({ OnBootSec: '1h', OnUnitActiveSec: '1h', RandomizedDelaySec: '5min' });
  });
});

describe('the template module', () => {
  withNix('builds on nixpkgs\' Proxmox image with UEFI, cloud-init, the guest agent, flakes and the bootstrap', () => {
    const template = evaluate(`
      let module = import ./template.nix { lib = ${STUB_LIB}; modulesPath = "/nixpkgs/nixos/modules"; };
      in module // { imports = map toString module.imports; }`) as Record<string, any>;
    expect(template.imports).toEqual([
      '/nixpkgs/nixos/modules/virtualisation/proxmox-image.nix',
      '/nixpkgs/nixos/modules/profiles/qemu-guest.nix',
      path.join(NIXOS, 'bootstrap.nix'),
    ]);
    expect(template.proxmox).toMatchObject({ qemuConf: { bios: 'ovmf', serial0: 'socket', agent: true }, cloudInit: { enable: true } });
    expect(template.boot.growPartition).toBe(true);
    expect(template.fileSystems['/'].autoResize).toBe(true);
    expect(template.services.qemuGuest.enable).toBe(true);
    expect(template.zramSwap).toEqual({ enable: true, memoryPercent: 50 });
    expect(template.services['cloud-init'].settings.system_info).toMatchObject({ distro: 'nixos', default_user: { groups: ['wheel'] } });
    expect(template.nix.settings['experimental-features']).toEqual(['nix-command', 'flakes']);
  });
});

describe('host facts in Nix', () => {
  withNix('the documented snippet reads a facts file', () => {
    const dir = factsDir(minimalMachine('dns01', { nix: { flakeRef: 'github:kubelize/fabric#dns01' } }));
    expect(evaluate(`(builtins.fromJSON (builtins.readFile ${dir}/hosts/infra-machines/dns01.json)).flake.output`)).toBe('dns01');
  });

  withNix('fabric.lib.hostFacts names the host, keeps cloud-init off it, and declares the admin with its keys', () => {
    const dir = factsDir(minimalMachine('dns01', { hostname: 'ns1', network: { domain: 'home.arpa' }, bootstrap: { adminUser: 'ops', sshAuthorizedKeys: [KEY] } }));
    const module = evaluate(`
      let outputs = (import ./flake.nix).outputs { self = outputs; nixpkgs = { }; };
      in outputs.lib.hostFacts ${dir}/hosts/infra-machines/dns01.json { lib = ${STUB_LIB}; }`);
    expect(module).toEqual({
      networking: { hostName: { _override: 49, value: 'ns1' }, domain: 'home.arpa' },
      services: { 'cloud-init': { settings: { preserve_hostname: true } } },
      users: { users: { ops: { isNormalUser: true, extraGroups: ['wheel'], openssh: { authorizedKeys: { keys: [KEY] } } } } },
    });
  });

  withNix('a Machine without bootstrap or domain declares no user and no domain', () => {
    const dir = factsDir(minimalMachine('bare'));
    expect(evaluate(`import ./host-facts.nix (builtins.fromJSON (builtins.readFile ${dir}/hosts/infra-machines/bare.json)) { lib = ${STUB_LIB}; }`)).toEqual({
      networking: { hostName: { _override: 49, value: 'bare' }, domain: {} },
      services: { 'cloud-init': { settings: { preserve_hostname: true } } },
      users: { users: {} },
    });
  });
});
