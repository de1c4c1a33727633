/**
 * Rendering on two threads (src/yaml-worker.ts): from RENDER_SHARE_FROM objects a worker renders the second
 * half, with the same function as the main thread, so the YAML is byte-identical; a worker's failure is
 * thrown with its reason, and no worker outlives the render, used or not.
 */
import { Yaml } from 'cdk8s';
import { once } from 'events';
import * as fs from 'fs';
import * as path from 'path';
import type { Worker } from 'worker_threads';
import { synthesize } from '../../src/synth/synthesize';
import { RENDER_SHARE_FROM, renderYaml, startYamlWorker } from '../../src/synth/yaml-worker';
import { minimalMachine, tempProject } from '../_helpers';

/** Objects with what a clone to another thread could blur: undefined, -0, NaN, infinities, YAML 1.1 words. */
function objects(n: number): object[] {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm${i}`, labels: { on: 'yes', octal: '0775' } },
    data: { text: `line ${i}\nnext line\n`, missing: undefined, list: [-0, NaN, Infinity, -Infinity, null, i] },
  }));
}

interface Started {
  readonly worker: Worker;
  /** Whether it renders YAML (synth also starts one that writes files). */
  readonly rendersYaml: boolean;
}

/**
 * What `run` returns or throws, and the workers started meanwhile; `script` may change the script each
 * worker runs.
 */
function workersDuring<T>(run: () => T, script: (text: string) => string = (text) => text): { result?: T; error?: Error; workers: Started[] } {
  // The module itself, whose Worker yaml-worker.ts reads when it starts one (an import would be a copy).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const threads = require('worker_threads') as typeof import('worker_threads');
  const RealWorker = threads.Worker;
  const workers: Started[] = [];
  const spy = jest.spyOn(threads, 'Worker').mockImplementation((...args: ConstructorParameters<typeof RealWorker>) => {
    const [text, options] = args;
    const worker = new RealWorker(script(String(text)), options);
    workers.push({ worker, rendersYaml: String(text).includes('_yaml-share.js') });
    return worker;
  });
  try {
    return { result: run(), workers };
  } catch (error) {
    return { error: error as Error, workers };
  } finally {
    spy.mockRestore();
  }
}

/** Resolves when the worker has ended (at once if it has: its threadId is then -1). */
const ended = ({ worker }: Started) => (worker.threadId === -1 ? Promise.resolve() : once(worker, 'exit'));

describe('renderYaml', () => {
  test('from RENDER_SHARE_FROM objects, a worker renders the second half, byte-identical to the main thread', async () => {
    const all = objects(RENDER_SHARE_FROM);
    const expected = all.map((object) => Yaml.stringify(object));
    const stringify = jest.spyOn(Yaml, 'stringify');
    let rendered: ReturnType<typeof workersDuring<string[]>>;
    try {
      rendered = workersDuring(() => renderYaml(all));
      // The main thread rendered the first half only.
      expect(stringify.mock.calls.map(([object]) => object)).toEqual(all.slice(0, RENDER_SHARE_FROM / 2));
    } finally {
      stringify.mockRestore();
    }
    expect(rendered.workers).toHaveLength(1);
    expect(rendered.result).toEqual(expected);
    expect(rendered.result?.[RENDER_SHARE_FROM - 1]).toContain('"on": "yes"');
    await ended(rendered.workers[0]);
  });

  test('below it, the main thread renders every object and no worker is started', () => {
    const few = objects(RENDER_SHARE_FROM - 1);
    const { result, workers } = workersDuring(() => renderYaml(few));
    expect(workers).toHaveLength(0);
    expect(result).toEqual(few.map((object) => Yaml.stringify(object)));
  });

  test('a worker started early and then not needed ends when closed', async () => {
    const { result, workers } = workersDuring(() => {
      const worker = startYamlWorker();
      const texts = renderYaml(objects(3), worker);
      worker.close();
      return texts;
    });
    expect(result).toHaveLength(3);
    expect(workers).toHaveLength(1);
    await ended(workers[0]);
  });

  test("the worker's failure is thrown with its reason, and the worker ends", async () => {
    // Not an array: the worker fails on it, as it would on anything its rendering throws.
    const { error, workers } = workersDuring(() => startYamlWorker().start({} as never).collect());
    expect(error?.message).toBe('rendering YAML in a worker thread failed: objects.map is not a function');
    expect(workers).toHaveLength(1);
    await ended(workers[0]);
  });

  test("a worker whose script cannot be loaded fails the render with the reason, instead of being waited for", async () => {
    const missing = (text: string) => text.replace('_yaml-share.js', '_missing-share.js');
    const { error, workers } = workersDuring(() => renderYaml(objects(RENDER_SHARE_FROM)), missing);
    expect(error?.message).toMatch(/^rendering YAML in a worker thread failed: Cannot find module '.*_missing-share\.js'/);
    expect(workers).toHaveLength(1);
    await ended(workers[0]);
  });

  test("a failure in the main thread's half is thrown, and the worker ends", async () => {
    const all: object[] = objects(RENDER_SHARE_FROM);
    all[0] = { kind: 'ConfigMap', data: { render: () => 'no' } };
    const { error, workers } = workersDuring(() => renderYaml(all));
    expect(error?.message).toBe('Tag not resolved for Function value');
    expect(workers).toHaveLength(1);
    await ended(workers[0]);
  });

  test('an object that cannot be handed to the worker fails the render, and the worker ends', async () => {
    const all: object[] = objects(RENDER_SHARE_FROM);
    all[RENDER_SHARE_FROM - 1] = { kind: 'ConfigMap', data: { render: () => 'no' } };
    const { error, workers } = workersDuring(() => renderYaml(all));
    expect(error?.message).toMatch(/could not be cloned/);
    expect(workers).toHaveLength(1);
    await ended(workers[0]);
  });
});

describe('synth', () => {
  test('renders on two threads when the tree index has no rendering of RENDER_SHARE_FROM Machines, and not on a re-synth that reads them back', async () => {
    const fleet = Array.from({ length: RENDER_SHARE_FROM }, (_, i) => minimalMachine(`vm${i}`));
    const project = tempProject({ 'fleet.yaml': fleet });
    try {
      const first = workersDuring(() => synthesize({ projectDir: project }));
      expect(first.result?.written).toBe(true);
      expect(first.workers.filter((started) => started.rendersYaml)).toHaveLength(1);
      const machine = fs.readFileSync(path.join(project, 'dist', 'cluster', 'machines', `machine.infra-machines.vm${RENDER_SHARE_FROM - 1}.yaml`), 'utf8');
      expect(machine).toContain(`name: vm${RENDER_SHARE_FROM - 1}\n`);
      // The tree just written has no index yet: rendered again (on two threads), then indexed. Its files are
      // aged first, as a tree written minutes ago is, so the index trusts them.
      const then = new Date(Date.now() - 60_000);
      for (const file of fs.readdirSync(path.join(project, 'dist'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())) {
        fs.utimesSync(path.join(file.parentPath, file.name), then, then);
      }
      const second = workersDuring(() => synthesize({ projectDir: project }));
      expect(second.result?.changed).toBe(false);
      expect(second.workers.filter((started) => started.rendersYaml)).toHaveLength(1);
      const third = workersDuring(() => synthesize({ projectDir: project }));
      expect(third.result?.changed).toBe(false);
      expect(third.workers.filter((started) => started.rendersYaml)).toHaveLength(0);
      await Promise.all([...first.workers, ...second.workers].map(ended));
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
