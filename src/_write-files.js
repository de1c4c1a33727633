'use strict';
/**
 * Writes files (relative path → content) under a folder, creating folders as it goes. dist-writer.ts calls
 * it on the main thread, and starts this file as a worker thread to write a second share of a large tree.
 * Plain JavaScript, because a worker runs a file: this one runs unchanged from src/ (under Jest), from lib/
 * and beside the synth bundle, which no TypeScript file could.
 */
const fs = require('fs');
const path = require('path');
const { isMainThread, workerData } = require('worker_threads');

function writeFiles(root, entries) {
  const folders = new Set();
  for (const [relative, content] of entries) {
    const file = path.join(root, relative);
    const folder = path.dirname(file);
    if (!folders.has(folder)) fs.mkdirSync(folder, { recursive: true });
    folders.add(folder);
    fs.writeFileSync(file, content);
  }
}

/** As a worker: writes its share, posts the error (or null) on its port, then raises the done flag. */
if (!isMainThread && workerData && workerData.writeFiles) {
  const { root, entries, port, done } = workerData.writeFiles;
  let failure = null;
  try {
    writeFiles(root, entries);
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  } finally {
    port.postMessage(failure);
    port.close();
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
  }
}

module.exports = { writeFiles };
