/**
 * Rendering a large tree to YAML on two threads. Rendering is plain JavaScript work (a first synth of
 * 10,000 Machines spent about 1.2 s of its 4.4 s in it), so a worker thread renders half of the objects on
 * the second core while the main thread renders the other half. The worker is best started before the
 * objects exist (synth.ts does, after validation): it has then loaded the YAML library by the time they do.
 */
import { Yaml } from 'cdk8s';
import * as path from 'path';
import { besideWorker, ShareWorker, startShareWorker } from './share-worker';

/** From this many objects to render, a worker renders half of them (starting one costs about 0.1 s here). */
export const RENDER_SHARE_FROM = 2000;

// Plain JavaScript, so that a worker thread runs it (_write-files.js says why).
const RENDER_SHARE = path.join(__dirname, '_yaml-share.js');

/** A worker thread ready to render one share of objects to YAML, in order. */
export type YamlWorker = ShareWorker<readonly object[], string[]>;

/** Starts a worker, which loads the YAML library and waits for objects. */
export function startYamlWorker(): YamlWorker {
  return startShareWorker('rendering YAML', RENDER_SHARE, 'renderShare');
}

/**
 * Each object rendered to YAML with cdk8s's Yaml.stringify, in order. From RENDER_SHARE_FROM objects the
 * second half is rendered by `worker` (one is started if none is given); the main thread renders the first
 * half meanwhile. An error, if any, is thrown once both are done.
 */
export function renderYaml(objects: readonly object[], worker?: YamlWorker): string[] {
  if (objects.length < RENDER_SHARE_FROM) return objects.map((object) => Yaml.stringify(object));
  const half = Math.ceil(objects.length / 2);
  const there = (worker ?? startYamlWorker()).start(objects.slice(half));
  const [here, rendered] = besideWorker(there, () => objects.slice(0, half).map((object) => Yaml.stringify(object)));
  return [...here, ...rendered];
}
