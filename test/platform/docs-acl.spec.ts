/**
 * The ACL paths the docs tell an operator to grant are ones `pveum aclmod` accepts: Proxmox checks a path
 * against a fixed list of forms (pve-access-control `PVE::AccessControl::check_path`), in which a pool is
 * `/pool/<pool>` and `/vms/` takes only a numeric VMID.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO } from '../_helpers';

/** The forms of check_path the docs use; ids in Proxmox's alphabet, VMIDs from 100. */
const ACL_PATH = /^\/(|vms|vms\/[1-9][0-9]{2,}|pool\/[A-Za-z0-9._-]+|storage\/[A-Za-z0-9._-]+|nodes\/[A-Za-z0-9._-]+|sdn\/zones\/[A-Za-z0-9._-]+)$/;

// The written docs: README and docs/*.md (docs/api/ is generated from doc comments).
const DOCS = ['README.md', ...fs.readdirSync(path.join(REPO, 'docs')).filter((file) => file.endsWith('.md')).map((file) => path.join('docs', file))];
const grants = DOCS.flatMap((file) =>
  [...fs.readFileSync(path.join(REPO, file), 'utf8').matchAll(/pveum aclmod (\S+)/g)].map((match) => [file, match[1]] as const));

test('the docs grant at least the root and a pool', () => {
  expect(grants.map(([, aclPath]) => aclPath)).toEqual(expect.arrayContaining(['/', '/pool/fabric']));
});

test.each(grants)('%s grants an ACL path pveum accepts: %s', (_file, aclPath) => {
  expect(aclPath).toMatch(ACL_PATH);
});
