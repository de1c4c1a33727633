'use strict';
/**
 * A worker thread's share of rendering a large tree to YAML (yaml-worker.ts starts it, share-worker.ts runs
 * it), with the function the main thread renders the rest with, cdk8s's Yaml.stringify: a file is
 * byte-identical whichever thread rendered it. Plain JavaScript for the reason _write-files.js gives. cdk8s
 * is loaded with this file, as the worker starts, before the objects exist.
 */
const { Yaml } = require('cdk8s');

/** The objects' YAML, in order. */
function renderShare(objects) {
  return objects.map((object) => Yaml.stringify(object));
}

module.exports = { renderShare };
