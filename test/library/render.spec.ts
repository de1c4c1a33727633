/** The charts of a synth (src/synth/fleet-app.ts) rendered to objects by file (src/synth/render.ts). */
import * as fs from 'fs';
import { findClaimFiles, loadClaims } from '../../src/synth/claims';
import { renderObjects } from '../../src/synth/render';
import { loadSettings } from '../../src/synth/settings';
import { checkClaims } from '../../src/synth/synthesize';
import { minimalMachine, tempProject } from '../_helpers';

let project: string;

beforeEach(() => {
  project = tempProject({ 'fleet.yaml': [minimalMachine('a'), minimalMachine('b'), minimalMachine('c')] });
});

afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

function charts() {
  return checkClaims(project, loadClaims(project, findClaimFiles(project)).claims, loadSettings(project)).fleet.charts;
}

describe('renderObjects', () => {
  test("renders every chart's objects, each to its folder", () => {
    const files = [...renderObjects(charts()).keys()];
    expect(files.filter((file) => file.startsWith('cluster/machines/'))).toEqual([
      'cluster/machines/machine.infra-machines.a.yaml',
      'cluster/machines/machine.infra-machines.b.yaml',
      'cluster/machines/machine.infra-machines.c.yaml',
    ]);
    expect(files).toEqual(expect.arrayContaining(['argocd/application.argocd.fabric.yaml', 'cluster/platform/packages/namespace.infra-machines.yaml']));
  });
});
