/**
 * The template's bootstrap script (src/nixos/fabric-bootstrap.sh), run for real with sh against a fake
 * /sys/class/dmi/id, a fake cloud-init drop and a stand-in nixos-rebuild that records its arguments.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import contract from '../../src/nixos/bootstrap-contract.json';
import { REPO } from '../_helpers';
import { run, RunResult, testWith } from '../_checkers';

const SCRIPT = path.join(REPO, 'src/nixos/fabric-bootstrap.sh');
const REF = 'git+https://github.com/kubelize/fabric?ref=main#dns01';

interface Guest {
  readonly dir: string;
  /** Runs the script (with `shell`); nixos-rebuild exits with `rebuildStatus`. */
  bootstrap(mode?: string, rebuildStatus?: number, shell?: readonly string[]): RunResult;
  /** Argument lines nixos-rebuild was called with, one call per line. */
  rebuilds(): string[];
  stamp(): string | undefined;
}

/** A guest with these DMI attributes and, optionally, the snippet channel's flake reference file. */
function guest(dmi: Record<string, string>, refFile?: string): Guest {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-guest-'));
  for (const sub of ['dmi', 'bin', 'etc', 'state']) fs.mkdirSync(path.join(dir, sub));
  for (const [name, value] of Object.entries(dmi)) fs.writeFileSync(path.join(dir, 'dmi', name), `${value}\n`);
  if (refFile !== undefined) fs.writeFileSync(path.join(dir, 'etc', 'flake-ref'), refFile);
  const log = path.join(dir, 'rebuilds.log');
  fs.writeFileSync(path.join(dir, 'bin', 'nixos-rebuild'), `#!/bin/sh\necho "$*" >> '${log}'\nexit "\${FAKE_REBUILD_STATUS:-0}"\n`, { mode: 0o755 });
  return {
    dir,
    bootstrap: (mode = 'apply', rebuildStatus = 0, [command, ...options] = ['sh']) => run(command, [...options, SCRIPT, mode], {
      env: {
        PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
        FABRIC_DMI_DIR: path.join(dir, 'dmi'),
        FABRIC_FLAKE_REF_FILE: path.join(dir, 'etc', 'flake-ref'),
        FABRIC_STATE_DIR: path.join(dir, 'state'),
        FABRIC_SMBIOS_MANUFACTURER: contract.smbios.manufacturer,
        FABRIC_SMBIOS_PRODUCT: contract.smbios.product,
        FABRIC_SMBIOS_VERSION: contract.smbios.version,
        FAKE_REBUILD_STATUS: String(rebuildStatus),
      },
    }),
    rebuilds: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []),
    stamp: () => {
      const file = path.join(dir, 'state', 'applied-flake-ref');
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
    },
  };
}

/** The SMBIOS type 1 fields the default channel gives a Fabric VM. */
const fabricSmbios = (serial: string, version = contract.smbios.version) => ({
  sys_vendor: contract.smbios.manufacturer,
  product_name: contract.smbios.product,
  product_version: version,
  product_serial: serial,
});

describe('the bootstrap script', () => {
  test('applies the flake reference from SMBIOS with nixos-rebuild switch --flake and records it', () => {
    const vm = guest(fabricSmbios(REF));
    const result = vm.bootstrap();
    expect(result.status).toBe(0);
    expect(vm.rebuilds()).toEqual([`switch --flake ${REF}`]);
    expect(vm.stamp()).toBe(REF);
    expect(result.stdout).toContain(`fabric-bootstrap: applied ${REF}`);
  });

  test('runs under bash with errexit, nounset and pipefail, as writeShellApplication wraps it in the template', () => {
    const vm = guest(fabricSmbios(REF));
    expect(vm.bootstrap('apply', 0, ['bash', '-o', 'errexit', '-o', 'nounset', '-o', 'pipefail']).status).toBe(0);
    expect(vm.bootstrap('apply', 0, ['bash', '-o', 'errexit', '-o', 'nounset', '-o', 'pipefail']).stdout).toContain('is already applied');
  });

  test('applies once: the next boot finds the reference applied and does nothing', () => {
    const vm = guest(fabricSmbios(REF));
    vm.bootstrap();
    const again = vm.bootstrap();
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('is already applied; nothing to do');
    expect(vm.rebuilds()).toHaveLength(1);
  });

  test('applies again when the Machine\'s flake reference changed', () => {
    const vm = guest(fabricSmbios(REF));
    vm.bootstrap();
    fs.writeFileSync(path.join(vm.dir, 'dmi', 'product_serial'), 'github:kubelize/fabric#dns02\n');
    expect(vm.bootstrap().status).toBe(0);
    expect(vm.rebuilds()).toEqual([`switch --flake ${REF}`, 'switch --flake github:kubelize/fabric#dns02']);
    expect(vm.stamp()).toBe('github:kubelize/fabric#dns02');
  });

  test('a failed nixos-rebuild exits non-zero for systemd to retry, and records nothing', () => {
    const vm = guest(fabricSmbios(REF));
    const failed = vm.bootstrap('apply', 1);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('nixos-rebuild failed with status 1; systemd tries again later');
    expect(vm.stamp()).toBeUndefined();
    expect(vm.bootstrap().status).toBe(0);
    expect(vm.stamp()).toBe(REF);
  });

  test('the snippet channel\'s file wins over SMBIOS', () => {
    const vm = guest(fabricSmbios(REF), 'github:kubelize/fabric#from-user-data');
    expect(vm.bootstrap().status).toBe(0);
    expect(vm.rebuilds()).toEqual(['switch --flake github:kubelize/fabric#from-user-data']);
  });

  test('reapply applies even an applied reference, refreshing the flake inputs', () => {
    const vm = guest(fabricSmbios(REF));
    vm.bootstrap();
    expect(vm.bootstrap('reapply').status).toBe(0);
    expect(vm.rebuilds()).toEqual([`switch --flake ${REF}`, `switch --flake ${REF} --refresh`]);
  });

  test.each([
    ['no SMBIOS data at all', {}],
    ['a real serial number without Fabric\'s marker', { sys_vendor: 'QEMU', product_name: 'Standard PC', product_serial: 'SN-1234#5' }],
    ['Fabric\'s marker but an empty serial (a Machine without nix)', fabricSmbios('')],
  ])('does nothing for %s: the template boots as it is', (_reason, dmi) => {
    const vm = guest(dmi);
    const result = vm.bootstrap();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('no flake reference for this machine; nothing to do');
    expect(vm.rebuilds()).toEqual([]);
  });

  test.each([
    ['no output', 'github:kubelize/fabric', /must name one output after '#'/],
    ['two outputs', 'github:kubelize/fabric#a#b', /must name one output after '#'/],
    ['an empty output', 'github:kubelize/fabric#', /must name one output after '#'/],
    ['whitespace', 'github:kubelize/fabric#a b', /must name one output after '#'/],
  ])('refuses a reference with %s with status 3, which systemd does not retry', (_reason, ref, message) => {
    const vm = guest(fabricSmbios(ref));
    const result = vm.bootstrap();
    expect(result.status).toBe(3);
    expect(result.stdout).toMatch(message);
    expect(vm.rebuilds()).toEqual([]);
  });

  test('refuses SMBIOS data of another format version with status 3', () => {
    const vm = guest(fabricSmbios(REF, '2'));
    const result = vm.bootstrap();
    expect(result.status).toBe(3);
    expect(result.stdout).toContain("SMBIOS data has format version '2', this template reads version '1'");
  });

  test('refuses an unknown mode', () => {
    const result = guest(fabricSmbios(REF)).bootstrap('destroy');
    expect(result.status).toBe(3);
    expect(result.stdout).toContain("unknown mode 'destroy'");
  });

  // writeShellApplication runs shellcheck when the template is built; a warning there breaks `nix build`.
  testWith('shellcheck')('passes shellcheck behind the bash header writeShellApplication adds', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-shellcheck-'));
    const wrapped = path.join(dir, 'fabric-bootstrap');
    const header = '#!/bin/bash\nset -o errexit\nset -o nounset\nset -o pipefail\n\n';
    fs.writeFileSync(wrapped, header + fs.readFileSync(SCRIPT, 'utf8'));
    const result = run('shellcheck', [wrapped]);
    expect({ status: result.status, output: result.stdout }).toEqual({ status: 0, output: '' });
  });
});
