/**
 * The roles README.md and docs/create-template.md tell users to create are the ones the simulator's scenarios
 * grant (DOCUMENTED_ROLES): the lifecycle scenarios remove each of those privileges in turn, so the docs must
 * name exactly them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DOCUMENTED_ROLES, privilegeSet } from '../../src/proxmox-sim';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** Every `pveum role add <role> -privs "<privileges>"` in a document. */
function rolesIn(text: string): Array<[string, string[]]> {
  return [...text.matchAll(/pveum role add (\S+) -privs (?:"([^"]+)"|(\S+))/g)].map((match) => [match[1], (match[2] ?? match[3]).split(/\s+/)]);
}

describe('the API token as the docs create it', () => {
  test.each(['README.md', 'docs/create-template.md'])('%s creates each role with exactly the privileges the scenarios remove one by one', (file) => {
    const documented = rolesIn(read(file));
    expect(documented.length).toBeGreaterThan(0);
    for (const [role, privileges] of documented) {
      const table = DOCUMENTED_ROLES[role as keyof typeof DOCUMENTED_ROLES];
      // A role the docs give for one release only (FabricAgent, PVE 8) is written with that release's names.
      expect({ role, privileges }).toEqual({ role, privileges: table?.[9] ?? table?.[8] });
    }
  });

  test('docs/create-template.md creates every role the scenarios grant', () => {
    expect(rolesIn(read('docs/create-template.md')).map(([role]) => role).sort()).toEqual(Object.keys(DOCUMENTED_ROLES).sort());
  });

  test('the table of why each privilege is there lists exactly the role\'s privileges', () => {
    const text = read('docs/create-template.md');
    const table = text.slice(text.indexOf('| privilege | why |'));
    const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
    const named = rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((match) => match[1]));
    expect(named.sort()).toEqual([...DOCUMENTED_ROLES.FabricProvisioner[9]!].sort());
  });

  test.each([9, 8] as const)('every privilege of the PVE %s roles is one that release has', (major) => {
    const valid = privilegeSet(major).valid;
    const unknown = Object.entries(DOCUMENTED_ROLES).flatMap(([role, byMajor]) => (byMajor[major] ?? []).filter((privilege) => !valid.has(privilege)).map((privilege) => `${role}: ${privilege}`));
    expect(unknown).toEqual([]);
  });

  test('the PVE 8 variant leaves out exactly the privileges PVE 8 does not have', () => {
    const pve8 = privilegeSet(8).valid;
    const leftOut = DOCUMENTED_ROLES.FabricProvisioner[9]!.filter((privilege) => !pve8.has(privilege));
    expect(leftOut).toEqual(['VM.GuestAgent.Audit']);
    const note = read('docs/create-template.md').match(/On Proxmox VE 8 leave ((?:`[^`]+`(?:, | and )?)+) out of the role/);
    expect([...note![1].matchAll(/`([^`]+)`/g)].map((match) => match[1])).toEqual(leftOut);
  });
});
