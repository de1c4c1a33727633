'use strict';
/**
 * Writes files (relative path → content, a string or bytes) under a folder, creating folders as it goes.
 * dist-writer.ts calls it on the main thread, and a worker thread runs writeShare to write a second share of
 * a large tree. Plain JavaScript, because the worker requires it with no TypeScript loader: this file
 * runs unchanged from src/ (under Jest), from lib/ and beside the synth bundle, which no TypeScript file could.
 */
const fs = require('fs');
const path = require('path');

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

/**
 * A share for a worker: the names, and every content encoded into one buffer, which is handed over (its
 * memory moves to the worker) rather than serialized and rebuilt string by string in the worker's heap.
 */
function packShare(entries) {
  const lengths = entries.map(([, content]) => Buffer.byteLength(content));
  const contents = Buffer.allocUnsafeSlow(lengths.reduce((sum, length) => sum + length, 0));
  let offset = 0;
  for (const [, content] of entries) offset += contents.write(content, offset);
  return { names: entries.map(([name]) => name), lengths, contents: contents.buffer };
}

function unpackShare({ names, lengths, contents }) {
  let offset = 0;
  return names.map((name, index) => {
    const content = Buffer.from(contents, offset, lengths[index]);
    offset += lengths[index];
    return [name, content];
  });
}

/** A worker thread's share (share-worker.ts runs it): the files packed by packShare, written under `root`. */
function writeShare({ root, share }) {
  writeFiles(root, unpackShare(share));
}

module.exports = { writeFiles, packShare, writeShare };
