/**
 * The charts of a synth (src/main.ts) rendered to objects by file (src/render.ts): each chart in an App of
 * its own, so cdk8s's preparation of the App a chart is rendered from (ordering, validation with the fleet
 * rules) walks that chart's constructs only, once.
 */
import * as fs from 'fs';
import { findClaimFiles, loadClaims } from '../../src/synth/claims';
import { buildCharts } from '../../src/synth/fleet-app';
import { renderObjects } from '../../src/synth/render';
import { loadSettings } from '../../src/synth/settings';
import * as fleetChecks from '../../src/validation/fleet-checks';
import { validateMachines } from '../../src/validation/validate-machines';
import { minimalMachine, tempProject } from '../_helpers';

let project: string;

beforeEach(() => {
  project = tempProject({ 'fleet.yaml': [minimalMachine('a'), minimalMachine('b'), minimalMachine('c')] });
});

afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

function charts() {
  const { machines } = validateMachines(loadClaims(project, findClaimFiles(project)).claims);
  return buildCharts(machines, loadSettings(project));
}

describe('renderObjects', () => {
  test("renders every chart's objects, each to its folder", () => {
    const files = [...renderObjects(charts()).keys()];
    expect(files.filter((file) => file.startsWith('cluster/machines/'))).toEqual([
      'cluster/machines/machine.infra-machines.a.yaml',
      'cluster/machines/machine.infra-machines.b.yaml',
      'cluster/machines/machine.infra-machines.c.yaml',
    ]);
    expect(files).toEqual(expect.arrayContaining(['argocd/application.argocd.fabric.yaml', 'cluster/platform/namespace.infra-machines.yaml']));
  });

  test('checks the fleet rules once, not once for each chart', () => {
    const built = charts();
    const checkFleet = jest.spyOn(fleetChecks, 'checkFleet');
    try {
      renderObjects(built);
      expect(checkFleet).toHaveBeenCalledTimes(1);
      expect(checkFleet.mock.calls[0][0].map((machine) => machine.name)).toEqual(['a', 'b', 'c']);
    } finally {
      checkFleet.mockRestore();
    }
  });
});
