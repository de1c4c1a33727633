'use strict';
/**
 * Renders a share of a large tree's objects to YAML in a worker thread (yaml-worker.ts starts it), with the
 * same function the main thread renders the rest with, cdk8s's Yaml.stringify: a file is byte-identical
 * whichever thread rendered it. Plain JavaScript for the reason _write-files.js gives.
 */

/**
 * A worker's whole work (yaml-worker.ts starts it with this call, before the objects exist): loads the YAML
 * library, then renders the objects of the one message it gets, posts `{ texts }` (or `{ failure }`) back
 * and raises the done flag, which the main thread waits on. A port closed without a message ends it idle.
 */
function renderShare({ port, done }) {
  let stringify;
  let loadFailure;
  try {
    stringify = require('cdk8s').Yaml.stringify;
  } catch (error) {
    loadFailure = error;
  }
  port.once('message', (objects) => {
    let result;
    try {
      if (loadFailure) throw loadFailure;
      result = { texts: objects.map((object) => stringify(object)) };
    } catch (error) {
      result = { failure: error instanceof Error ? error.message : String(error) };
    } finally {
      port.postMessage(result);
      port.close();
      Atomics.store(done, 0, 1);
      Atomics.notify(done, 0);
    }
  });
}

module.exports = { renderShare };
