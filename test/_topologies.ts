/**
 * One fleet of YAML claims, synthesized in either topology through the real driver (synthesize), so the
 * GitOps, legacy and defaults tests look at what `npm run synth` would write.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Topology } from '../src/api/topology';
import { synthesize } from '../src/synth/synthesize';
import { minimalMachine, objectsOf, tempProject } from './_helpers';

/** Machines in two namespaces, static and DHCP, Delete and Orphan, with data disks and bootstrap. */
export const FLEET = {
  'infra.yaml': [
    minimalMachine('test-vm'),
    minimalMachine('dns01', {
      network: { ip: '10.0.1.10', gateway: '10.0.1.1', domain: 'home.arpa' },
      bootstrap: { sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl admin@homelab'] },
      tags: { environment: 'production' },
    }),
  ],
  'apps/web.yaml': {
    ...minimalMachine('web', { dataDisks: [{ size: 100, storage: 'tank' }], deletionPolicy: 'Orphan' }),
    metadata: { name: 'web', namespace: 'apps' },
  },
};

export interface SynthesizedTopology {
  /** dist/-relative path → content, as synth writes it. */
  readonly files: ReadonlyMap<string, string>;
  /** Every object below `folder` (default cluster/). */
  objectsIn(folder?: string): Array<Record<string, any>>;
  /** The tree, written to a temp dir (for the conformance validator). */
  readonly outDir: string;
}

/** Trees already synthesized in this test file, by their inputs: a dozen specs look at the same two. */
const synthesized = new Map<string, SynthesizedTopology>();

/**
 * The tree synth writes for `claims` with these settings; synthesized once per test file and inputs.
 * objectsIn parses each call, so every caller gets objects of its own to look at (or change).
 */
export function synthTopology(topology: Topology, fabric: object = {}, claims: Parameters<typeof tempProject>[0] = FLEET): SynthesizedTopology {
  const key = JSON.stringify([topology, fabric, claims]);
  const known = synthesized.get(key);
  if (known) return known;
  const projectDir = tempProject(claims, { topology, ...fabric });
  const outDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `fabric-${topology}-`)), 'dist');
  const { files } = synthesize({ projectDir, outDir });
  const tree: SynthesizedTopology = {
    files,
    outDir,
    objectsIn: (folder = 'cluster/') => objectsOf(new Map([...files].filter(([file]) => file.startsWith(folder) && file.endsWith('.yaml')))),
  };
  synthesized.set(key, tree);
  return tree;
}
