/**
 * Rendering a large tree to YAML on two threads. Rendering is plain JavaScript work (a first synth of
 * 10,000 Machines spent about 1.2 s of its 4.4 s in it), so a worker thread renders half of the objects on
 * the second core while the main thread renders the other half. The worker is best started before the
 * objects exist (synth.ts does, after validation): it has then loaded the YAML library by the time they do.
 */
import { Yaml } from 'cdk8s';
import * as path from 'path';

/** From this many objects to render, a worker renders half of them (starting one costs about 0.1 s here). */
export const RENDER_SHARE_FROM = 2000;

// Plain JavaScript, so that a worker thread runs it (_yaml-share.js says why).
const RENDER_SHARE = path.join(__dirname, '_yaml-share.js');

/** A worker thread ready to render one share of objects. */
export interface YamlWorker {
  /** Hands the objects to the worker; `collect` waits for it and returns their YAML, in order. */
  render(objects: readonly object[]): { collect(): string[] };
  /** Ends the worker if it was never given objects; nothing otherwise. */
  close(): void;
}

/** Starts a worker, which loads the YAML library and waits for objects. It never keeps the process alive. */
export function startYamlWorker(): YamlWorker {
  // Loaded here, for a large tree only: a small synth is not charged for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MessageChannel, receiveMessageOnPort, Worker } = require('worker_threads') as typeof import('worker_threads');
  // Set by the worker however its share ends, so waiting for it cannot outlast it.
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  // A script that cannot be loaded (left out of a bundle) fails the render as any failure does, instead of
  // leaving the main thread waiting for a worker that is gone.
  const work = [
    "const { workerData } = require('worker_threads');",
    `try { require(${JSON.stringify(RENDER_SHARE)}).renderShare(workerData); } catch (error) {`,
    '  workerData.port.postMessage({ failure: error.message }); Atomics.store(workerData.done, 0, 1); Atomics.notify(workerData.done, 0);',
    '}',
  ].join('\n');
  new Worker(work, { eval: true, workerData: { port: port2, done }, transferList: [port2] }).unref();
  return {
    render(objects) {
      port1.postMessage(objects);
      return {
        collect() {
          Atomics.wait(done, 0, 0);
          const result = receiveMessageOnPort(port1)?.message as { texts?: string[]; failure?: string } | undefined;
          port1.close();
          if (!result?.texts) throw new Error(`rendering YAML in a worker thread failed: ${result?.failure ?? 'no result'}`);
          return result.texts;
        },
      };
    },
    // The worker's port closes with this one, and the worker, waiting on nothing else, ends.
    close: () => port1.close(),
  };
}

/**
 * Each object rendered to YAML with cdk8s's Yaml.stringify, in order. From RENDER_SHARE_FROM objects the
 * second half is rendered by `worker` (one is started if none is given); the main thread renders the first
 * half meanwhile. The worker's error, if any, is thrown once both are done.
 */
export function renderYaml(objects: readonly object[], worker?: YamlWorker): string[] {
  if (objects.length < RENDER_SHARE_FROM) return objects.map((object) => Yaml.stringify(object));
  const half = Math.ceil(objects.length / 2);
  const helper = worker ?? startYamlWorker();
  let there: { collect(): string[] };
  try {
    there = helper.render(objects.slice(half));
  } catch (error) {
    helper.close();
    throw error;
  }
  let here: string[] = [];
  try {
    here = objects.slice(0, half).map((object) => Yaml.stringify(object));
  } finally {
    // Collected even when rendering here failed, so the worker is done before the error goes on.
    here.push(...there.collect());
  }
  return here;
}
